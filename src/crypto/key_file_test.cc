#include "crypto/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/random.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/keyed_hash.h"
#include "crypto/keyring.h"
#include "crypto/signing.h"
#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie::crypto {
namespace {

namespace fs = std::filesystem;
using ::vigie::testing::ErrorCodeIs;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_.path();
    path_ = dir_ / "vigie.key";
  }

  static unsigned Mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Replaces the file's content, keeping mode 0600.
  static void Write(const fs::path& p, std::string_view text) {
    {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << text;
    }
    ::chmod(p.c_str(), 0600);
  }
  Keyring CreateOrDie() {
    SeededRandom random(42);
    auto ring = Keyring::CreateKeyFile(path_, random);
    EXPECT_TRUE(ring.has_value()) << ring.error().ToString();
    return std::move(ring).value();
  }
  static void ExpectSameKeys(const Keyring& a, const Keyring& b) {
    ASSERT_EQ(a.data_keys().size(), b.data_keys().size());
    for (size_t i = 0; i < a.data_keys().size(); ++i) {
      EXPECT_EQ(a.data_keys()[i].id, b.data_keys()[i].id);
      EXPECT_EQ(a.data_keys()[i].purpose, b.data_keys()[i].purpose);
      EXPECT_TRUE(ConstantTimeEquals(a.data_keys()[i].key.view(), b.data_keys()[i].key.view()));
    }
  }
  // Loads the current file, expecting DataLoss.
  void ExpectDataLoss(std::string_view what) {
    auto r = Keyring::LoadKeyFile(path_);
    ASSERT_FALSE(r.has_value()) << what;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << what << ": " << r.error().ToString();
  }

  vigie::testing::TempDir temp_;
  fs::path dir_;
  fs::path path_;
};

// --- creation ----------------------------------------------------------------

TEST_F(KeyFileTest, CreateWritesMode0600EvenWithPermissiveUmask) {
  const mode_t old = ::umask(0);
  CreateOrDie();
  ::umask(old);
  EXPECT_EQ(Mode(path_), 0600u);
}

TEST_F(KeyFileTest, CreateMakesRecordsAndSearchIndexKeys) {
  Keyring ring = CreateOrDie();
  ASSERT_EQ(ring.data_keys().size(), 2u);
  auto records = ring.Current(kPurposeRecords);
  auto search = ring.Current(kPurposeSearchIndex);
  ASSERT_TRUE(records.has_value() && search.has_value());
  EXPECT_EQ((*records)->id, 1u);
  EXPECT_EQ((*search)->id, 2u);
  EXPECT_EQ((*records)->key.size(), kDataKeySize);
  EXPECT_EQ((*search)->key.size(), kDataKeySize);
  EXPECT_FALSE(ConstantTimeEquals((*records)->key.view(), (*search)->key.view()));
}

TEST_F(KeyFileTest, CreateRefusesToOverwrite) {
  CreateOrDie();
  const std::string before = Read(path_);
  SeededRandom random(7);
  auto again = Keyring::CreateKeyFile(path_, random);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(Read(path_), before);
}

TEST_F(KeyFileTest, CreateRefusesASymlink) {
  const fs::path target = dir_ / "elsewhere";
  fs::create_symlink(target, path_);
  SeededRandom random(1);
  auto r = Keyring::CreateKeyFile(path_, random);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kConflict);
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(KeyFileTest, CreateInMissingDirectoryIsNotFound) {
  SeededRandom random(1);
  auto r = Keyring::CreateKeyFile(dir_ / "missing" / "vigie.key", random);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

TEST_F(KeyFileTest, CreateWithSystemRandomGivesDistinctKeys) {
  auto a = Keyring::CreateKeyFile(path_);
  auto b = Keyring::CreateKeyFile(dir_ / "second.key");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_FALSE(ConstantTimeEquals((*a->Current("records"))->key.view(),
                                  (*b->Current("records"))->key.view()));
}

TEST_F(KeyFileTest, FileDoesNotContainDataKeysInClear) {
  Keyring ring = CreateOrDie();
  const std::string text = Read(path_);
  for (const DataKey& key : ring.data_keys()) {
    EXPECT_EQ(text.find(Base64Encode(key.key.view())), std::string::npos);
    EXPECT_EQ(text.find(HexEncode(key.key.view())), std::string::npos);
  }
}

// --- loading -------------------------------------------------------------------

TEST_F(KeyFileTest, LoadRoundTrips) {
  Keyring created = CreateOrDie();
  auto loaded = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  ExpectSameKeys(created, *loaded);
}

TEST_F(KeyFileTest, LoadMissingIsNotFound) {
  auto r = Keyring::LoadKeyFile(path_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

TEST_F(KeyFileTest, LoadRefusesGroupOrWorldAccess) {
  CreateOrDie();
  for (mode_t mode : {0640, 0644, 0604, 0620, 0602, 0660, 0666, 0601, 0610}) {
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
    auto r = Keyring::LoadKeyFile(path_);
    ASSERT_FALSE(r.has_value()) << std::oct << mode;
    EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied) << std::oct << mode;
    EXPECT_NE(r.error().message().find("chmod 600"), std::string::npos) << r.error().message();
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0400), 0);  // read-only for the owner is fine
  EXPECT_TRUE(Keyring::LoadKeyFile(path_).has_value());
}

TEST_F(KeyFileTest, LoadRefusesADirectory) {
  auto r = Keyring::LoadKeyFile(dir_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(KeyFileTest, LoadRefusesOversizedFile) {
  Write(path_, std::string(kMaxKeyFileBytes + 1, '#'));
  ExpectDataLoss("oversized");
}

// --- tamper detection ------------------------------------------------------------

TEST_F(KeyFileTest, ModifiedWrappedKeyIsDataLoss) {
  CreateOrDie();
  const std::string text = Read(path_);
  const size_t pos = text.find("datakey 1 records ");
  ASSERT_NE(pos, std::string::npos);
  const size_t b64 = pos + std::string("datakey 1 records ").size() + 10;
  std::string bad = text;
  bad[b64] = bad[b64] == 'A' ? 'B' : 'A';
  Write(path_, bad);
  ExpectDataLoss("flipped wrapped key character");
}

TEST_F(KeyFileTest, DifferentMasterKeyIsDataLoss) {
  CreateOrDie();
  std::string text = Read(path_);
  const size_t pos = text.find("master ") + 7;
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  Write(path_, text);
  ExpectDataLoss("changed master key");
}

TEST_F(KeyFileTest, RelabelledKeyIsDataLoss) {
  CreateOrDie();
  const std::string text = Read(path_);
  // Same wrapped bytes presented under another purpose, or another id.
  std::string purpose = text;
  purpose.replace(purpose.find("datakey 1 records"), 17, "datakey 1 recordz");
  Write(path_, purpose);
  ExpectDataLoss("purpose changed");

  std::string id = text;
  id.replace(id.find("datakey 2 search-index"), 9, "datakey 3");
  Write(path_, id);
  ExpectDataLoss("id changed");
}

TEST_F(KeyFileTest, SwappedKeyLinesAreDataLoss) {
  CreateOrDie();
  const std::string text = Read(path_);
  const size_t l1 = text.find("datakey 1 ");
  const size_t l2 = text.find("datakey 2 ");
  const size_t end = text.find("end\n");
  const std::string line1 = text.substr(l1, l2 - l1);
  const std::string line2 = text.substr(l2, end - l2);
  // Wrapped blobs exchanged between ids: the associated data no longer matches.
  std::string w1 = line1.substr(line1.rfind(' ') + 1);
  std::string w2 = line2.substr(line2.rfind(' ') + 1);
  std::string swapped = text.substr(0, l1) + line1.substr(0, line1.rfind(' ') + 1) + w2 +
                        line2.substr(0, line2.rfind(' ') + 1) + w1 + "end\n";
  Write(path_, swapped);
  ExpectDataLoss("wrapped keys swapped");
}

TEST_F(KeyFileTest, StructuralDamageIsDataLoss) {
  CreateOrDie();
  const std::string text = Read(path_);
  auto without = [&](std::string_view line) {
    std::string t = text;
    t.erase(t.find(line), line.size());
    return t;
  };
  const std::pair<const char*, std::string> cases[] = {
      {"empty file", ""},
      {"garbage", "hello\n"},
      {"truncated in half", text.substr(0, text.size() / 2)},
      {"no end line", without("end\n")},
      {"no master line",
       text.substr(0, text.find("master ")) + text.substr(text.find("datakey 1"))},
      {"future version",
       [&] {
         std::string t = text;
         t.replace(t.find("vigie-keyfile v1"), 16, "vigie-keyfile v2");
         return t;
       }()},
      {"content after end", text + "datakey 9 records AAAA\n"},
      {"duplicate key line",
       [&] {
         const size_t l1 = text.find("datakey 1 ");
         const size_t l2 = text.find("datakey 2 ");
         std::string t = text;
         t.insert(l2, text.substr(l1, l2 - l1));
         return t;
       }()},
      {"descending ids",
       [&] {
         const size_t l1 = text.find("datakey 1 ");
         const size_t l2 = text.find("datakey 2 ");
         const size_t end = text.find("end\n");
         return text.substr(0, l1) + text.substr(l2, end - l2) + text.substr(l1, l2 - l1) + "end\n";
       }()},
      {"id zero",
       [&] {
         std::string t = text;
         t.replace(t.find("datakey 1 "), 10, "datakey 0 ");
         return t;
       }()},
      {"leading zero id",
       [&] {
         std::string t = text;
         t.replace(t.find("datakey 1 "), 10, "datakey 01 ");
         return t;
       }()},
      {"bad purpose",
       [&] {
         std::string t = text;
         t.replace(t.find("records"), 7, "Rec|rds");
         return t;
       }()},
      {"double space",
       [&] {
         std::string t = text;
         t.replace(t.find("datakey 1 "), 10, "datakey  1 ");
         return t;
       }()},
      {"CRLF line endings",
       [&] {
         std::string t;
         for (char c : text) {
           if (c == '\n') t += '\r';
           t += c;
         }
         return t;
       }()},
      {"short wrapped key",
       [&] {
         std::string t = text;
         const size_t l2 = t.find("datakey 2 ");
         t.erase(l2 - 9, 8);  // drop 8 base64 characters at the end of line 1
         return t;
       }()},
      {"short master key",
       [&] {
         std::string t = text;
         t.erase(t.find("master ") + 7, 4);
         return t;
       }()},
  };
  for (const auto& [what, content] : cases) {
    Write(path_, content);
    ExpectDataLoss(what);
  }
}

TEST_F(KeyFileTest, CommentsAndBlankLinesAreIgnored) {
  Keyring created = CreateOrDie();
  std::string text = Read(path_);
  text.insert(text.find("datakey 2"), "\n# rotated 2024-05-01\n\n");
  Write(path_, text + "\n# trailing comment\n");
  auto loaded = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  ExpectSameKeys(created, *loaded);
}

// --- rotation --------------------------------------------------------------------

TEST_F(KeyFileTest, RotationKeepsOldKeysReadableById) {
  CreateOrDie();
  auto ring = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(ring.has_value());
  const DataKey* old_key = *ring->Current("records");
  ASSERT_EQ(old_key->id, 1u);
  const std::vector<uint8_t> old_ciphertext =
      Seal(old_key->bytes(), AsBytes("written before rotation"), AsBytes("row:1"));

  SeededRandom random(99);
  auto new_id = ring->AddDataKey("records", random);
  ASSERT_TRUE(new_id.has_value());
  EXPECT_EQ(*new_id, 3u);
  EXPECT_EQ((*ring->Current("records"))->id, 3u);
  EXPECT_EQ(old_key->id, 1u);  // pointers survive AddDataKey
  ASSERT_TRUE(ring->Save(path_).has_value());
  EXPECT_EQ(Mode(path_), 0600u);

  auto reloaded = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().ToString();
  ExpectSameKeys(*ring, *reloaded);
  EXPECT_EQ((*reloaded->Current("records"))->id, 3u);
  EXPECT_EQ((*reloaded->Current("search-index"))->id, 2u);
  auto by_id = reloaded->ById(1);
  ASSERT_TRUE(by_id.has_value());
  auto plaintext = Open((*by_id)->bytes(), old_ciphertext, AsBytes("row:1"));
  ASSERT_TRUE(plaintext.has_value());
  EXPECT_EQ(AsText(*plaintext), "written before rotation");
  // The new key is different from the old one.
  EXPECT_FALSE(
      ConstantTimeEquals((*reloaded->ById(1))->key.view(), (*reloaded->ById(3))->key.view()));
}

// Rotation on several nodes: a staged key is saved and loaded as staged,
// readable by id everywhere, and written with only once activated.
TEST_F(KeyFileTest, AStagedKeyIsReadableByIdButCurrentOnlyOnceActivated) {
  CreateOrDie();
  auto ring = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(ring.has_value());
  SeededRandom random(7);
  auto staged = ring->StageDataKey("records", random);
  ASSERT_TRUE(staged.has_value());
  EXPECT_EQ((*ring->Current("records"))->id, 1u);
  ASSERT_TRUE(ring->Save(path_).has_value());
  EXPECT_NE(Read(path_).find(" staged\n"), std::string::npos);

  auto other_node = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(other_node.has_value()) << other_node.error().ToString();
  ExpectSameKeys(*ring, *other_node);
  EXPECT_EQ((*other_node->Current("records"))->id, 1u);
  auto by_id = other_node->ById(*staged);
  ASSERT_TRUE(by_id.has_value());
  EXPECT_TRUE((*by_id)->staged);
  const std::vector<uint8_t> sealed =
      Seal((*by_id)->bytes(), AsBytes("written by an activated node"), AsBytes("row:9"));

  EXPECT_EQ(ring->ActivateStagedKeys(), 1u);
  EXPECT_EQ((*ring->Current("records"))->id, *staged);
  EXPECT_EQ(ring->ActivateStagedKeys(), 0u);
  ASSERT_TRUE(ring->Save(path_).has_value());
  auto reloaded = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ((*reloaded->Current("records"))->id, *staged);
  EXPECT_FALSE((*reloaded->Current("records"))->staged);
  // What one node sealed with it while the other still wrote with id 1 opens.
  auto opened = Open((*reloaded->ById(*staged))->bytes(), sealed, AsBytes("row:9"));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(AsText(*opened), "written by an activated node");
  EXPECT_FALSE(Open((*reloaded->ById(1))->bytes(), sealed, AsBytes("row:9")).has_value());
}

TEST_F(KeyFileTest, AnUnknownKeyFlagIsDataLoss) {
  CreateOrDie();
  std::string text = Read(path_);
  const size_t line_end = text.find('\n', text.find("datakey 1 "));
  Write(path_, text.substr(0, line_end) + " retired" + text.substr(line_end));
  ExpectDataLoss("a fifth field other than 'staged'");
}

// A retired key stays readable by id, is never current again, and its bound
// survives the file: it is what holds a leaked old signing key to the past.
TEST_F(KeyFileTest, ARetiredKeyKeepsItsBoundAndIsNeverCurrent) {
  CreateOrDie();
  auto ring = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(ring.has_value());
  SeededRandom random(7);
  auto newer = ring->AddDataKey("records", random);
  ASSERT_TRUE(newer.has_value());
  EXPECT_THAT(ring->Retire(*newer, 5), ErrorCodeIs(ErrorCode::kConflict)) << "current";
  EXPECT_THAT(ring->Retire(999, 5), ErrorCodeIs(ErrorCode::kNotFound));
  auto staged = ring->StageDataKey("records", random);
  ASSERT_TRUE(staged.has_value());
  EXPECT_THAT(ring->Retire(*staged, 5), ErrorCodeIs(ErrorCode::kConflict)) << "staged";
  ASSERT_TRUE(ring->Retire(1, 1234).has_value());
  EXPECT_THAT(ring->Retire(1, 1234), ErrorCodeIs(ErrorCode::kConflict)) << "twice";
  ASSERT_TRUE(ring->Save(path_).has_value());
  EXPECT_NE(Read(path_).find(" retired-after 1234\n"), std::string::npos);

  auto reloaded = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().ToString();
  ExpectSameKeys(*ring, *reloaded);
  EXPECT_EQ((*reloaded->ById(1))->retired_after, 1234u);
  EXPECT_FALSE((*reloaded->ById(*newer))->retired_after.has_value());
  EXPECT_EQ((*reloaded->Current("records"))->id, *newer);
  // Retire the newer one too (by hand): no current key rather than a retired one.
  std::string text = Read(path_);
  const size_t line = text.find("datakey " + std::to_string(*newer) + " ");
  const size_t line_end = text.find('\n', line);
  Write(path_, text.substr(0, line_end) + " retired-after 0" + text.substr(line_end));
  auto all_retired = Keyring::LoadKeyFile(path_);
  ASSERT_TRUE(all_retired.has_value()) << all_retired.error().ToString();
  EXPECT_THAT(all_retired->Current("records"), ErrorCodeIs(ErrorCode::kNotFound));
}

TEST_F(KeyFileTest, AMalformedRetirementIsDataLoss) {
  CreateOrDie();
  const std::string text = Read(path_);
  const size_t line_end = text.find('\n', text.find("datakey 1 "));
  for (std::string_view bad : {" retired-after", " retired-after -1", " retired-after 01",
                               " retired-after 18446744073709551616", " retired-after 5 x",
                               " staged retired-after 5", " retired-after x"}) {
    Write(path_, text.substr(0, line_end) + std::string(bad) + text.substr(line_end));
    ExpectDataLoss(bad);
  }
}

TEST_F(KeyFileTest, SaveLeavesNoTemporaryFiles) {
  Keyring ring = CreateOrDie();
  ASSERT_TRUE(ring.AddDataKey("audit-signing").has_value());
  ASSERT_TRUE(ring.Save(path_).has_value());
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "vigie.key");
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(KeyFileTest, SaveToMissingDirectoryFails) {
  Keyring ring = CreateOrDie();
  auto r = ring.Save(dir_ / "missing" / "vigie.key");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

// --- in-memory keyring -------------------------------------------------------------

TEST(KeyringTest, LookupsReportNotFound) {
  SeededRandom random(1);
  Keyring ring = Keyring::CreateInMemory(random);
  auto current = ring.Current("audit-signing");
  ASSERT_FALSE(current.has_value());
  EXPECT_EQ(current.error().code(), ErrorCode::kNotFound);
  auto by_id = ring.ById(99);
  ASSERT_FALSE(by_id.has_value());
  EXPECT_EQ(by_id.error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(ring.ById(0).has_value());
  EXPECT_EQ(ring.data_keys().size(), 2u);  // lookups created nothing
}

TEST(KeyringTest, RejectsBadPurposes) {
  SeededRandom random(1);
  Keyring ring = Keyring::CreateInMemory(random);
  for (std::string_view bad :
       {"", "Records", "a|b", "a b", "-x", "9lives", "é", "abcdefghijklmnopqrstuvwxyzabcdefg"}) {
    auto r = ring.AddDataKey(bad, random);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(ring.AddDataKey("abcdefghijklmnopqrstuvwxyzabcdef", random).has_value());
}

TEST(KeyringTest, DeterministicWithInjectedRandomness) {
  SeededRandom r1(5);
  SeededRandom r2(5);
  Keyring a = Keyring::CreateInMemory(r1);
  Keyring b = Keyring::CreateInMemory(r2);
  EXPECT_TRUE(ConstantTimeEquals((*a.ById(1))->key.view(), (*b.ById(1))->key.view()));
}

TEST(KeyringTest, DataKeysFeedTheOtherPrimitives) {
  SeededRandom random(3);
  Keyring ring = Keyring::CreateInMemory(random);
  ASSERT_TRUE(ring.AddDataKey(kPurposeAuditSigning, random).has_value());
  const DataKey* search = *ring.Current(kPurposeSearchIndex);
  SearchKeyHasher hasher(search->siphash_key());
  EXPECT_EQ(hasher.Hash("MARTIN"), hasher.Hash("MARTIN"));
  const DataKey* signing = *ring.Current(kPurposeAuditSigning);
  Ed25519KeyPair pair = Ed25519KeyPair::FromSeed(signing->bytes());
  EXPECT_TRUE(Ed25519Verify(pair.public_key(), AsBytes("x"), pair.Sign("x")));
}

TEST(KeyFileFormatTest, EncodeDecodeRoundTripAndWrapAd) {
  EXPECT_EQ(KeyWrapAssociatedData("records", 1), "vigie-key-v1|records|1");
  SeededRandom random(11);
  Keyring ring = Keyring::CreateInMemory(random);
  SecretBytes text = EncodeKeyFile(ring);
  const std::string_view view = AsText(text.view());
  EXPECT_NE(view.find("\nvigie-keyfile v1\nmaster "), std::string_view::npos);
  EXPECT_TRUE(view.ends_with("\nend\n"));
  auto decoded = DecodeKeyFile(view);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
  ASSERT_EQ(decoded->data_keys().size(), 2u);
  EXPECT_TRUE(
      ConstantTimeEquals(decoded->data_keys()[1].key.view(), ring.data_keys()[1].key.view()));
  // Fresh nonces on every encode: the wrapped form changes, the keys do not.
  SecretBytes again = EncodeKeyFile(ring);
  EXPECT_FALSE(ConstantTimeEquals(text.view(), again.view()));
}

}  // namespace
}  // namespace vigie::crypto
