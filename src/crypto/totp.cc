#include "crypto/totp.h"

#include <algorithm>
#include <array>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"

namespace vigie::crypto {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t PowerOfTen(int digits) {
  int64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

}  // namespace

int64_t TotpStep(int64_t unix_seconds, const TotpParameters& parameters) {
  // Floor division: times before 1970 are not expected but must not round up.
  int64_t step = parameters.step_seconds;
  return unix_seconds >= 0 ? unix_seconds / step : -((-unix_seconds + step - 1) / step);
}

std::string TotpCode(std::span<const uint8_t> seed, int64_t step,
                     const TotpParameters& parameters) {
  std::array<uint8_t, 8> counter;
  auto value = static_cast<uint64_t>(step);
  for (int i = 7; i >= 0; --i, value >>= 8)
    counter[static_cast<size_t>(i)] = static_cast<uint8_t>(value);
  auto mac = HmacSha1(seed, counter);
  // RFC 4226 §5.3 dynamic truncation.
  size_t offset = mac[mac.size() - 1] & 0x0f;
  uint32_t binary = (uint32_t{mac[offset]} & 0x7f) << 24 | uint32_t{mac[offset + 1]} << 16 |
                    uint32_t{mac[offset + 2]} << 8 | uint32_t{mac[offset + 3]};
  int digits = std::clamp(parameters.digits, 6, 9);
  std::string code = std::to_string(binary % PowerOfTen(digits));
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::optional<int64_t> TotpVerify(std::span<const uint8_t> seed, std::string_view code,
                                  int64_t unix_seconds, const TotpParameters& parameters) {
  if (code.size() != static_cast<size_t>(std::clamp(parameters.digits, 6, 9))) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t now = TotpStep(unix_seconds, parameters);
  std::optional<int64_t> matched;
  // Every candidate step is computed and compared, so the time taken does not
  // tell which one matched.
  for (int64_t step = now + parameters.window; step >= now - parameters.window; --step) {
    std::string expected = TotpCode(seed, step, parameters);
    bool equal = ConstantTimeEquals(AsBytes(expected), AsBytes(code));
    if (equal && !matched) matched = step;
  }
  return matched;
}

std::string Base32Encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

Result<std::vector<uint8_t>> Base32Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::vector<uint8_t> out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t symbols = 0;
  for (char c : text) {
    if (c == ' ') continue;
    char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    size_t value = kBase32Alphabet.find(upper);
    if (value == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument, "not a Base32 character in the seed");
    }
    ++symbols;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  // Valid unpadded lengths leave 0, 2, 4, 1 or 3 symbols over a multiple of 8.
  size_t rest = symbols % 8;
  if (rest == 1 || rest == 3 || rest == 6) {
    return Fail(ErrorCode::kInvalidArgument, "Base32 seed has an impossible length");
  }
  return out;
}

}  // namespace vigie::crypto
