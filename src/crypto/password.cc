#include "crypto/password.h"

#include <sodium.h>

#include <charconv>
#include <optional>

#include "crypto/secret_bytes.h"

namespace vigie::crypto {
namespace {

constexpr std::string_view kPrefix = "$argon2id$v=19$";
constexpr size_t kSaltBytes = crypto_pwhash_argon2id_SALTBYTES;  // 16
constexpr size_t kHashBytes = 32;
constexpr uint32_t kMinMemoryKib = crypto_pwhash_argon2id_MEMLIMIT_MIN / 1024;  // 8

struct PhcParts {
  uint32_t m = 0, t = 0, p = 0;
  size_t salt_len = 0, hash_len = 0;
};

Result<void> CheckCost(uint32_t t, uint32_t m_kib) {
  if (t < crypto_pwhash_argon2id_OPSLIMIT_MIN) {
    return Fail(ErrorCode::kInvalidArgument, "argon2id t_cost must be >= 1");
  }
  if (m_kib < kMinMemoryKib) {
    return Fail(ErrorCode::kInvalidArgument, "argon2id m_cost_kib must be >= 8");
  }
  if (t > kMaxArgon2Passes || m_kib > kMaxArgon2MemoryKib) {
    return Fail(ErrorCode::kInvalidArgument, "argon2id parameters exceed the configured caps");
  }
  return {};
}

// Parses "<digits>" with no sign and no leading zero.
std::optional<uint32_t> ParseU32(std::string_view s) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Length of the decoding of unpadded standard base64, or nullopt if malformed.
std::optional<size_t> DecodedB64Length(std::string_view s) {
  if (s.empty() || s.size() > 256) return std::nullopt;
  unsigned char buf[192];
  size_t len = 0;
  if (sodium_base642bin(buf, sizeof buf, s.data(), s.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
    return std::nullopt;
  }
  return len;
}

// "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH": the only form we accept. Older
// versions (no v=, v=16) and other variants are refused.
Result<PhcParts> ParsePhc(std::string_view phc) {
  auto bad = [](std::string_view why) {
    return Fail(ErrorCode::kDataLoss, "malformed argon2id PHC string: " + std::string(why));
  };
  if (!phc.starts_with(kPrefix)) return bad("wrong algorithm or version");
  std::string_view rest = phc.substr(kPrefix.size());
  size_t d1 = rest.find('$');
  if (d1 == std::string_view::npos) return bad("missing salt");
  size_t d2 = rest.find('$', d1 + 1);
  if (d2 == std::string_view::npos) return bad("missing hash");
  std::string_view params = rest.substr(0, d1);
  std::string_view salt = rest.substr(d1 + 1, d2 - d1 - 1);
  std::string_view hash = rest.substr(d2 + 1);

  PhcParts parts;
  const std::pair<std::string_view, uint32_t*> fields[] = {
      {"m=", &parts.m}, {"t=", &parts.t}, {"p=", &parts.p}};
  for (size_t i = 0; i < 3; ++i) {
    size_t comma = params.find(',');
    std::string_view field = params.substr(0, comma);
    if (!field.starts_with(fields[i].first)) return bad("parameters must be m=,t=,p=");
    std::optional<uint32_t> v = ParseU32(field.substr(2));
    if (!v) return bad("bad parameter value");
    *fields[i].second = *v;
    if ((i < 2) != (comma != std::string_view::npos)) return bad("parameters must be m=,t=,p=");
    if (comma != std::string_view::npos) params.remove_prefix(comma + 1);
  }
  std::optional<size_t> salt_len = DecodedB64Length(salt);
  std::optional<size_t> hash_len = DecodedB64Length(hash);
  if (!salt_len || *salt_len < 8 || *salt_len > 64) return bad("bad salt");
  if (!hash_len || *hash_len < 16 || *hash_len > 64) return bad("bad hash");
  parts.salt_len = *salt_len;
  parts.hash_len = *hash_len;
  if (parts.t < 1 || parts.p < 1 || parts.m < 8ull * parts.p) return bad("parameters out of range");
  if (parts.t > kMaxArgon2Passes || parts.m > kMaxArgon2MemoryKib || parts.p > kMaxArgon2Lanes) {
    return bad("parameters exceed the configured caps");
  }
  return parts;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
  InitCrypto();
  if (params.parallelism != 1) {
    return Fail(ErrorCode::kInvalidArgument, "argon2id parallelism must be 1 (libsodium)");
  }
  RETURN_IF_ERROR(CheckCost(params.t_cost, params.m_cost_kib));
  if (password.size() > kMaxPasswordBytes) {
    return Fail(ErrorCode::kInvalidArgument, "password too long");
  }
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), params.t_cost,
                                 static_cast<size_t>(params.m_cost_kib) * 1024) != 0) {
    return Fail(ErrorCode::kResourceExhausted, "argon2id: could not allocate memory");
  }
  return std::string(out);
}

Result<bool> VerifyPassword(std::string_view phc, std::string_view password) {
  InitCrypto();
  RETURN_IF_ERROR(ParsePhc(phc));
  if (password.size() > kMaxPasswordBytes) return false;
  const std::string phc_z(phc);  // libsodium wants a NUL-terminated string
  // libsodium recomputes the hash with the stored parameters and salt and
  // compares with sodium_memcmp (constant time). Having validated the string,
  // a failure here is a mismatch.
  return crypto_pwhash_argon2id_str_verify(phc_z.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view phc, const Argon2Params& params) {
  Result<PhcParts> parts = ParsePhc(phc);
  if (!parts) return true;
  return parts->m != params.m_cost_kib || parts->t != params.t_cost ||
         parts->p != params.parallelism || parts->salt_len != kSaltBytes ||
         parts->hash_len != kHashBytes;
}

std::optional<Argon2Params> Argon2ParamsOf(std::string_view phc) {
  Result<PhcParts> parts = ParsePhc(phc);
  if (!parts) return std::nullopt;
  return Argon2Params{.t_cost = parts->t, .m_cost_kib = parts->m, .parallelism = parts->p};
}

bool CostlierThan(const Argon2Params& a, const Argon2Params& b) {
  return uint64_t{a.m_cost_kib} * a.t_cost > uint64_t{b.m_cost_kib} * b.t_cost;
}

Result<std::vector<uint8_t>> Argon2idRaw(std::string_view password, std::span<const uint8_t> salt,
                                         uint32_t t_cost, uint32_t m_cost_kib, size_t out_len) {
  InitCrypto();
  if (salt.size() != kSaltBytes) {
    return Fail(ErrorCode::kInvalidArgument, "argon2id salt must be exactly 16 bytes");
  }
  if (out_len < crypto_pwhash_argon2id_BYTES_MIN || out_len > 1024) {
    return Fail(ErrorCode::kInvalidArgument, "argon2id output length must be in [16, 1024]");
  }
  RETURN_IF_ERROR(CheckCost(t_cost, m_cost_kib));
  if (password.size() > kMaxPasswordBytes) {
    return Fail(ErrorCode::kInvalidArgument, "password too long");
  }
  std::vector<uint8_t> out(out_len);
  if (crypto_pwhash_argon2id(out.data(), out.size(), password.data(), password.size(), salt.data(),
                             t_cost, static_cast<size_t>(m_cost_kib) * 1024,
                             crypto_pwhash_argon2id_ALG_ARGON2ID13) != 0) {
    return Fail(ErrorCode::kResourceExhausted, "argon2id: could not allocate memory");
  }
  return out;
}

}  // namespace vigie::crypto
