#include "crypto/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "crypto/internal/file_error.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace vigie::crypto {
namespace {

constexpr std::string_view kHeaderComment =
    "# Vigie key file: SECRET. Keep mode 0600; never copy it in clear.\n"
    "# Format: docs/formats/key-file.md\n";
constexpr std::string_view kVersionLine = "vigie-keyfile v1";
constexpr std::string_view kEndLine = "end";
constexpr size_t kWrappedSize = kAeadOverhead + kDataKeySize;

std::string Quote(const std::filesystem::path& path) { return "'" + path.string() + "'"; }


class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error (close can report a failed write-back).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Writes everything, fsyncs and closes.
Result<void> WriteSyncClose(Fd& fd, std::span<const uint8_t> data,
                            const std::filesystem::path& path) {
  // Security: make the mode exact, whatever the umask did (it can only remove
  // bits from 0600, but the owner must keep write access for rotation).
  if (::fchmod(fd.get(), 0600) != 0) return Fail(internal::FileError(errno, "chmod", path));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(internal::FileError(errno, "writing", path));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return Fail(internal::FileError(errno, "fsync", path));
  if (fd.Close() != 0) return Fail(internal::FileError(errno, "closing", path));
  return {};
}

// Makes a create or rename in `dir` durable.
Result<void> SyncDirectory(const std::filesystem::path& file) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Fail(internal::FileError(errno, "opening directory", dir));
  if (::fsync(fd.get()) != 0) return Fail(internal::FileError(errno, "fsync", dir));
  return {};
}

std::optional<uint32_t> ParseId(std::string_view s) {
  if (s.empty() || s[0] == '0') return std::nullopt;  // ids start at 1, no leading zeros
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// A tree size: decimal, no sign, no leading zeros.
std::optional<uint64_t> ParseSize(std::string_view s) {
  if (s.empty() || (s[0] == '0' && s.size() > 1)) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Splits on single spaces.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t sp = line.find(' ', start);
    out.push_back(line.substr(start, sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return out;
}

// Decodes base64 straight into SecretBytes, wiping the scratch buffer.
std::optional<SecretBytes> DecodeSecretBase64(std::string_view text, size_t expected_size) {
  std::vector<uint8_t> scratch(text.size() / 4 * 3 + 3);
  size_t len = 0;
  bool ok = sodium_base642bin(scratch.data(), scratch.size(), text.data(), text.size(), nullptr,
                              &len, nullptr, sodium_base64_VARIANT_ORIGINAL) == 0 &&
            len == expected_size;
  std::optional<SecretBytes> out;
  if (ok) out.emplace(std::span<const uint8_t>(scratch.data(), len));
  sodium_memzero(scratch.data(), scratch.size());
  return out;
}

}  // namespace

std::string KeyWrapAssociatedData(std::string_view purpose, uint32_t id) {
  return "vigie-key-v1|" + std::string(purpose) + "|" + std::to_string(id);
}

SecretBytes EncodeKeyFile(const Keyring& keyring) {
  InitCrypto();
  std::string out;
  // Security: reserve everything up front so the buffer holding the master key
  // is never reallocated (which would free an unwiped copy).
  out.reserve(kHeaderComment.size() + 128 + keyring.keys_.size() * 192);
  out += kHeaderComment;
  out += kVersionLine;
  out += "\nmaster ";
  char master_b64[sodium_base64_ENCODED_LEN(kMasterKeySize, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(master_b64, sizeof master_b64, keyring.master_key_.view().data(),
                    keyring.master_key_.size(), sodium_base64_VARIANT_ORIGINAL);
  out += master_b64;
  sodium_memzero(master_b64, sizeof master_b64);
  out += '\n';
  const auto master = keyring.master_key_.view().first<kMasterKeySize>();
  for (const DataKey& key : keyring.keys_) {
    std::string ad = KeyWrapAssociatedData(key.purpose, key.id);
    std::vector<uint8_t> wrapped = Seal(master, key.key.view(), AsBytes(ad));
    out += "datakey ";
    out += std::to_string(key.id);
    out += ' ';
    out += key.purpose;
    out += ' ';
    out += Base64Encode(wrapped);
    if (key.staged) out += " staged";
    if (key.retired_after) out += " retired-after " + std::to_string(*key.retired_after);
    out += '\n';
  }
  out += kEndLine;
  out += '\n';
  SecretBytes text(AsBytes(out));
  sodium_memzero(out.data(), out.size());
  return text;
}

Result<Keyring> DecodeKeyFile(std::string_view text) {
  InitCrypto();
  auto bad = [](size_t line_no, std::string_view why) {
    return Fail(ErrorCode::kDataLoss,
                "malformed key file, line " + std::to_string(line_no) + ": " + std::string(why));
  };
  if (text.size() > kMaxKeyFileBytes) return Fail(ErrorCode::kDataLoss, "key file too large");

  enum class Expect { kVersion, kMaster, kKeysOrEnd, kNothing };
  Expect expect = Expect::kVersion;
  std::optional<Keyring> ring;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;

    switch (expect) {
      case Expect::kVersion:
        if (line != kVersionLine) return bad(line_no, "not a vigie-keyfile v1 file");
        expect = Expect::kMaster;
        break;

      case Expect::kMaster: {
        std::vector<std::string_view> f = Fields(line);
        if (f.size() != 2 || f[0] != "master") return bad(line_no, "expected 'master <key>'");
        std::optional<SecretBytes> master = DecodeSecretBase64(f[1], kMasterKeySize);
        if (!master) return bad(line_no, "master key is not 32 bytes of base64");
        ring.emplace(Keyring(std::move(*master)));
        expect = Expect::kKeysOrEnd;
        break;
      }

      case Expect::kKeysOrEnd: {
        if (line == kEndLine) {
          expect = Expect::kNothing;
          break;
        }
        std::vector<std::string_view> f = Fields(line);
        std::optional<uint64_t> retired_after;
        if (f.size() == 6 && f[4] == "retired-after") {
          retired_after = ParseSize(f[5]);
          if (!retired_after) return bad(line_no, "bad tree size after 'retired-after'");
        }
        if ((f.size() != 4 && f.size() != 5 && !retired_after) || f[0] != "datakey" ||
            (f.size() == 5 && f[4] != "staged")) {
          return bad(line_no,
                     "expected 'datakey <id> <purpose> <wrapped> [staged | retired-after <size>]' "
                     "or 'end'");
        }
        std::optional<uint32_t> id = ParseId(f[1]);
        if (!id) return bad(line_no, "bad key id");
        if (!ring->keys_.empty() && *id <= ring->keys_.back().id) {
          return bad(line_no, "key ids must be strictly ascending");
        }
        if (!IsValidKeyPurpose(f[2])) return bad(line_no, "bad key purpose");
        if (ring->keys_.size() >= kMaxDataKeys) return bad(line_no, "too many data keys");
        Result<std::vector<uint8_t>> wrapped = Base64Decode(f[3]);
        if (!wrapped || wrapped->size() != kWrappedSize) {
          return bad(line_no, "wrapped key has the wrong encoding or size");
        }
        const std::string ad = KeyWrapAssociatedData(f[2], *id);
        Result<std::vector<uint8_t>> key =
            Open(ring->master_key_.view().first<kMasterKeySize>(), *wrapped, AsBytes(ad));
        if (!key) {
          return Fail(ErrorCode::kDataLoss, "key file line " + std::to_string(line_no) +
                                                ": data key " + std::to_string(*id) +
                                                " does not unwrap (wrong master key or the "
                                                "file was modified)");
        }
        ring->keys_.push_back(
            DataKey{*id, std::string(f[2]), SecretBytes(*key), f.size() == 5, retired_after});
        sodium_memzero(key->data(), key->size());
        break;
      }

      case Expect::kNothing:
        return bad(line_no, "content after 'end'");
    }
  }
  if (expect != Expect::kNothing) {
    return Fail(ErrorCode::kDataLoss, "key file truncated: no 'end' line");
  }
  return std::move(*ring);
}

Result<Keyring> Keyring::CreateKeyFile(const std::filesystem::path& path, RandomSource& random) {
  Keyring ring = CreateInMemory(random);
  SecretBytes text = EncodeKeyFile(ring);
  // Security: O_EXCL never replaces an existing key file (losing it would make
  // every encrypted field unreadable) and, like O_NOFOLLOW, refuses a planted
  // symlink. Mode 0600 from the first byte: no window where others can read it.
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return Fail(ErrorCode::kConflict,
                  "key file " + Quote(path) + " already exists; refusing to overwrite it");
    }
    return Fail(internal::FileError(errno, "creating key file", path));
  }
  if (Result<void> w = WriteSyncClose(fd, text.view(), path); !w) {
    ::unlink(path.c_str());
    return Fail(w.error());
  }
  RETURN_IF_ERROR(SyncDirectory(path));
  return ring;
}

Result<Keyring> Keyring::CreateKeyFile(const std::filesystem::path& path) {
  SystemRandom random;
  return CreateKeyFile(path, random);
}

Result<Keyring> Keyring::LoadKeyFile(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "no key file at " + Quote(path));
    return Fail(internal::FileError(errno, "opening key file", path));
  }
  // fstat on the open descriptor: the checks apply to the very file we read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Fail(internal::FileError(errno, "stat", path));
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "key file " + Quote(path) + " is not a regular file");
  }
  // Security: fail closed on a key file others can read or write (as ssh does
  // for private keys): it means the keys may already be exposed or replaced,
  // and starting anyway would hide the problem.
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(ErrorCode::kPermissionDenied,
                "key file " + Quote(path) + " has mode " + mode +
                    ": it must not be accessible by group or others (run: chmod 600 " +
                    path.string() + ")");
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return Fail(ErrorCode::kPermissionDenied, "key file " + Quote(path) + " is owned by uid " +
                                                  std::to_string(st.st_uid) +
                                                  ", neither this user nor root");
  }
  if (st.st_size > static_cast<off_t>(kMaxKeyFileBytes)) {
    return Fail(ErrorCode::kDataLoss, "key file " + Quote(path) + " is too large");
  }
  // One byte of slack detects a file that grew past the limit since fstat.
  SecretBytes buffer(static_cast<size_t>(st.st_size) + 1);
  size_t used = 0;
  while (used < buffer.size()) {
    ssize_t n = ::read(fd.get(), buffer.mutable_view().data() + used, buffer.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(internal::FileError(errno, "reading key file", path));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > kMaxKeyFileBytes) {
    return Fail(ErrorCode::kDataLoss, "key file " + Quote(path) + " is too large");
  }
  Result<Keyring> ring = DecodeKeyFile(AsText(buffer.view().first(used)));
  if (!ring) return Fail(ring.error().WithContext("key file " + Quote(path)));
  return ring;
}

Result<void> Keyring::Save(const std::filesystem::path& path) const {
  SecretBytes text = EncodeKeyFile(*this);
  std::string tmp = path.string() + ".tmp-XXXXXX";
  // mkostemp creates the file with mode 0600 and O_EXCL.
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return Fail(internal::FileError(errno, "creating temporary key file", tmp));
  Result<void> result = WriteSyncClose(fd, text.view(), tmp);
  if (result && ::rename(tmp.c_str(), path.c_str()) != 0) {
    result = Fail(internal::FileError(errno, "renaming temporary key file to", path));
  }
  if (!result) {
    ::unlink(tmp.c_str());
    return result;
  }
  return SyncDirectory(path);
}

}  // namespace vigie::crypto
