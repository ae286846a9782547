#include "crypto/password.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "crypto/hash.h"

namespace vigie::crypto {
namespace {

// Cheap parameters so the suite stays fast under AddressSanitizer.
constexpr Argon2Params kFast{.t_cost = 1, .m_cost_kib = 1024};

// Reference vectors from phc-winner-argon2 src/test.c (Argon2id, v=0x13),
// password "password", salt "somesalt". The salt is 8 bytes, which libsodium's
// raw API cannot take (it fixes salts at 16 bytes), so they are checked through
// VerifyPassword on the reference PHC strings; the raw hex is checked against
// the PHC hash field so a transcription error in either would show.
struct ReferenceVector {
  const char* phc;
  const char* raw_hex;
};
constexpr ReferenceVector kM256T2P1{
    "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
    "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"};
constexpr ReferenceVector kM256T2P2{
    "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
    "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037"};
constexpr ReferenceVector kM65536T2P1{
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"};

std::string HashField(std::string_view phc) {
  std::string b64(phc.substr(phc.rfind('$') + 1));
  while (b64.size() % 4 != 0) b64 += '=';
  auto raw = Base64Decode(b64);
  return raw ? HexEncode(*raw) : "<bad base64>";
}

TEST(Argon2idReferenceTest, TranscribedVectorsAreConsistent) {
  for (const ReferenceVector& v : {kM256T2P1, kM256T2P2, kM65536T2P1}) {
    EXPECT_EQ(HashField(v.phc), v.raw_hex) << v.phc;
  }
}

TEST(Argon2idReferenceTest, VerifiesReferenceHashes) {
  // m=256 KiB, one and two lanes; and the headline 64 MiB vector (run once).
  for (const ReferenceVector& v : {kM256T2P1, kM256T2P2, kM65536T2P1}) {
    auto ok = VerifyPassword(v.phc, "password");
    ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
    EXPECT_TRUE(*ok) << v.phc;
  }
}

TEST(Argon2idReferenceTest, RejectsWrongPasswordForReferenceHash) {
  for (std::string_view wrong : {"passwore", "Password", "", "password "}) {
    auto ok = VerifyPassword(kM256T2P1.phc, wrong);
    ASSERT_TRUE(ok.has_value());
    EXPECT_FALSE(*ok) << wrong;
  }
}

// libsodium test/default/pwhash_argon2id.c, tv() case 4 (expected output from
// pwhash_argon2id.exp): 82-byte password, 16-byte salt, t=3,
// memlimit 1432947 bytes (= 1399 KiB), 190-byte output.
TEST(Argon2idRawTest, LibsodiumKnownAnswer) {
  auto password = HexDecode(
      "4a857e2ee8aa9b6056f2424e84d24a72473378906ee04a46cb05311502d5250b82ad86b83c8f20a23dbb74f6"
      "da60b0b6ecffd67134d45946ac8ebfb3064294bc097d43ced68642bfb8bbbdd0f50b30118f5e");
  auto salt = HexDecode("39d82eef32010b8b79cc5ba88ed539fb");
  ASSERT_TRUE(password.has_value() && salt.has_value());
  ASSERT_EQ(password->size(), 82u);
  auto out = Argon2idRaw(
      std::string_view(reinterpret_cast<const char*>(password->data()), password->size()), *salt, 3,
      1432947 / 1024, 190);
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  EXPECT_EQ(HexEncode(*out),
            "08d8cd330c57e1b4643241d05bb468ba4ee4e932cd0858816be9ef15360b27bbd06a87130ee92222be26"
            "7a29b81f5ae8fe8613324cfc4832dc49387fd0602f1c57b4d0f3855db94fb7e12eb05f9a484aed4a4307"
            "abf586cd3d55c809bc081541e00b682772fb2066504ff935b8ebc551a2083882f874bc0fae68e56848ae"
            "34c91097c3bf0cca8e75c0797eef3efde3f75e005815018db3cf7c109a812264c4de69dcb22322dbbcfa"
            "447f5b00ecd1b04a7be1569c8e556adb7bba48adf81d");
}

TEST(Argon2idRawTest, AgreesWithTheHashInAPhcString) {
  auto phc = HashPassword("correct horse", kFast);
  ASSERT_TRUE(phc.has_value());
  // $argon2id$v=19$m=1024,t=1,p=1$<salt>$<hash>
  const size_t hash_sep = phc->rfind('$');
  const size_t salt_sep = phc->rfind('$', hash_sep - 1);
  std::string salt_b64 = phc->substr(salt_sep + 1, hash_sep - salt_sep - 1);
  while (salt_b64.size() % 4 != 0) salt_b64 += '=';
  auto salt = Base64Decode(salt_b64);
  ASSERT_TRUE(salt.has_value());
  ASSERT_EQ(salt->size(), 16u);
  auto raw = Argon2idRaw("correct horse", *salt, 1, 1024, 32);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(HexEncode(*raw), HashField(*phc));
}

TEST(Argon2idRawTest, RejectsBadArguments) {
  const std::vector<uint8_t> salt16(16, 7);
  const std::vector<uint8_t> salt8(8, 7);
  struct Case {
    const char* what;
    Result<std::vector<uint8_t>> result;
  };
  Case cases[] = {
      {"8-byte salt", Argon2idRaw("pw", salt8, 1, 64, 32)},
      {"17-byte salt", Argon2idRaw("pw", std::vector<uint8_t>(17, 1), 1, 64, 32)},
      {"short output", Argon2idRaw("pw", salt16, 1, 64, 15)},
      {"huge output", Argon2idRaw("pw", salt16, 1, 64, 1025)},
      {"t=0", Argon2idRaw("pw", salt16, 0, 64, 32)},
      {"m=7", Argon2idRaw("pw", salt16, 1, 7, 32)},
      {"m over cap", Argon2idRaw("pw", salt16, 1, kMaxArgon2MemoryKib + 1, 32)},
      {"t over cap", Argon2idRaw("pw", salt16, kMaxArgon2Passes + 1, 64, 32)},
      {"long password", Argon2idRaw(std::string(kMaxPasswordBytes + 1, 'x'), salt16, 1, 64, 32)},
  };
  for (const Case& c : cases) {
    ASSERT_FALSE(c.result.has_value()) << c.what;
    EXPECT_EQ(c.result.error().code(), ErrorCode::kInvalidArgument) << c.what;
  }
}

TEST(HashPasswordTest, ProducesVerifiablePhcString) {
  auto phc = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(phc.has_value()) << phc.error().ToString();
  EXPECT_TRUE(phc->starts_with("$argon2id$v=19$m=1024,t=1,p=1$")) << *phc;
  EXPECT_EQ(*VerifyPassword(*phc, "correct horse battery staple"), true);
  EXPECT_EQ(*VerifyPassword(*phc, "correct horse battery stapler"), false);
  EXPECT_EQ(*VerifyPassword(*phc, ""), false);
}

TEST(HashPasswordTest, SaltsAreRandom) {
  auto a = HashPassword("same", kFast);
  auto b = HashPassword("same", kFast);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(*a, *b);
}

TEST(HashPasswordTest, EmptyAndBinaryPasswords) {
  const std::string binary("a\0b\xff", 4);
  auto empty = HashPassword("", kFast);
  auto bin = HashPassword(binary, kFast);
  ASSERT_TRUE(empty.has_value() && bin.has_value());
  EXPECT_TRUE(*VerifyPassword(*empty, ""));
  EXPECT_TRUE(*VerifyPassword(*bin, binary));
  EXPECT_FALSE(*VerifyPassword(*bin, "a"));  // no truncation at the NUL
}

TEST(HashPasswordTest, RejectsBadParameters) {
  const Argon2Params bad[] = {
      {.t_cost = 1, .m_cost_kib = 1024, .parallelism = 2},
      {.t_cost = 0, .m_cost_kib = 1024},
      {.t_cost = 1, .m_cost_kib = 7},
      {.t_cost = 1, .m_cost_kib = kMaxArgon2MemoryKib + 1},
      {.t_cost = kMaxArgon2Passes + 1, .m_cost_kib = 64},
  };
  for (const Argon2Params& p : bad) {
    auto r = HashPassword("pw", p);
    ASSERT_FALSE(r.has_value()) << p.t_cost << "/" << p.m_cost_kib << "/" << p.parallelism;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
  auto long_pw = HashPassword(std::string(kMaxPasswordBytes + 1, 'x'), kFast);
  ASSERT_FALSE(long_pw.has_value());
  EXPECT_EQ(long_pw.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HashPassword(std::string(kMaxPasswordBytes, 'x'), kFast).has_value());
}

TEST(VerifyPasswordTest, OverlongPasswordIsFalseNotError) {
  auto r = VerifyPassword(kM256T2P1.phc, std::string(kMaxPasswordBytes + 1, 'x'));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r);
}

TEST(VerifyPasswordTest, MalformedStoredHashIsDataLoss) {
  const char* malformed[] = {
      "",
      "password",
      "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQnf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1,x=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=-1,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      // Costs over the caps: must be refused before any memory is allocated.
      "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=4000000000,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMC"
      "HGi/4",
      "$argon2id$v=19$m=65536,t=2,p=1024$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      // A 4-byte salt, then a 12-byte hash.
      "$argon2id$v=19$m=256,t=2,p=1$c29tZQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIP",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ=$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1$c29t!XNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
  };
  for (const char* phc : malformed) {
    auto r = VerifyPassword(phc, "password");
    ASSERT_FALSE(r.has_value()) << phc;
    EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss) << phc;
  }
}

TEST(VerifyPasswordTest, ModifiedHashDoesNotVerify) {
  std::string phc = kM256T2P1.phc;
  phc[phc.size() - 2] = (phc[phc.size() - 2] == 'A') ? 'B' : 'A';
  auto r = VerifyPassword(phc, "password");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(*r);
}

TEST(NeedsRehashTest, ComparesParameters) {
  auto phc = HashPassword("pw", kFast);
  ASSERT_TRUE(phc.has_value());
  EXPECT_FALSE(NeedsRehash(*phc, kFast));
  EXPECT_TRUE(NeedsRehash(*phc, {.t_cost = 2, .m_cost_kib = 1024}));
  EXPECT_TRUE(NeedsRehash(*phc, {.t_cost = 1, .m_cost_kib = 2048}));
  EXPECT_TRUE(NeedsRehash(*phc, {.t_cost = 1, .m_cost_kib = 1024, .parallelism = 2}));
  // The reference hashes have an 8-byte salt: re-hash even with equal costs.
  EXPECT_TRUE(NeedsRehash(kM256T2P1.phc, {.t_cost = 2, .m_cost_kib = 256}));
  EXPECT_TRUE(NeedsRehash("garbage", kFast));
  EXPECT_TRUE(NeedsRehash("", kFast));
}

TEST(Argon2ParamsOfTest, ReadsTheParametersAndRefusesGarbage) {
  auto phc = HashPassword("pw", {.t_cost = 2, .m_cost_kib = 64});
  ASSERT_TRUE(phc.has_value());
  std::optional<Argon2Params> read = Argon2ParamsOf(*phc);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->t_cost, 2u);
  EXPECT_EQ(read->m_cost_kib, 64u);
  EXPECT_EQ(read->parallelism, 1u);
  std::optional<Argon2Params> reference = Argon2ParamsOf(kM256T2P1.phc);
  ASSERT_TRUE(reference.has_value());
  EXPECT_EQ(reference->m_cost_kib, 256u);
  EXPECT_FALSE(Argon2ParamsOf("garbage").has_value());
  EXPECT_TRUE(Argon2ParamsOf("$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
                  .has_value())
      << "at the memory cap";
  EXPECT_FALSE(Argon2ParamsOf("$argon2id$v=19$m=2097152,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
                   .has_value())
      << "over the memory cap";
}

TEST(CostlierThanTest, ComparesMemoryTimesPasses) {
  EXPECT_TRUE(CostlierThan({.t_cost = 3, .m_cost_kib = 16}, {.t_cost = 1, .m_cost_kib = 32}));
  EXPECT_FALSE(CostlierThan({.t_cost = 1, .m_cost_kib = 32}, {.t_cost = 3, .m_cost_kib = 16}));
  EXPECT_FALSE(CostlierThan({.t_cost = 2, .m_cost_kib = 16}, {.t_cost = 1, .m_cost_kib = 32}))
      << "equal work";
  EXPECT_TRUE(CostlierThan({.t_cost = 64, .m_cost_kib = 1u << 20}, {.t_cost = 1, .m_cost_kib = 8}))
      << "no overflow";
}

}  // namespace
}  // namespace vigie::crypto
