#include "identity/activation_code.h"

#include <array>

#include "crypto/bytes.h"

namespace vigie::identity {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::string_view kHashDomain = "vigie/activation-code/v1\n";

// The value of a typed symbol, or -1.
int SymbolValue(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  size_t at = kCrockford.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

crypto::SecretBytes GenerateActivationCode() {
  // One random byte per symbol, reduced mod 32: 256 is a multiple of 32, so
  // every symbol is uniform (5 bits each, 140 in all).
  crypto::SecretBytes random = crypto::SecretBytes::Random(kActivationCodeSymbols);
  constexpr size_t kGroups = kActivationCodeSymbols / kActivationCodeGroup;
  crypto::SecretBytes code(kActivationCodeSymbols + kGroups - 1);
  auto out = code.mutable_view();
  size_t o = 0;
  for (size_t i = 0; i < kActivationCodeSymbols; ++i) {
    if (i > 0 && i % kActivationCodeGroup == 0) out[o++] = '-';
    out[o++] = static_cast<uint8_t>(kCrockford[random.view()[i] & 31]);
  }
  return code;
}

Result<crypto::SecretBytes> CanonicalActivationCode(std::string_view typed) {
  crypto::SecretBytes canonical(kActivationCodeSymbols);
  auto out = canonical.mutable_view();
  size_t n = 0;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    int value = SymbolValue(c);
    if (value < 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "activation code contains a character outside 0-9 and A-Z");
    }
    if (n == kActivationCodeSymbols) break;  // too long: reported below
    out[n++] = static_cast<uint8_t>(kCrockford[static_cast<size_t>(value)]);
  }
  size_t symbols = 0;
  for (char c : typed) symbols += (c != '-' && c != ' ') ? 1 : 0;
  if (symbols != kActivationCodeSymbols) {
    return Fail(ErrorCode::kInvalidArgument,
                "activation code must have " + std::to_string(kActivationCodeSymbols) +
                    " letters and digits, not " + std::to_string(symbols));
  }
  return canonical;
}

crypto::Sha256Digest HashActivationCode(const crypto::SecretBytes& canonical) {
  crypto::Sha256Hasher hasher;
  hasher.Update(kHashDomain);
  hasher.Update(canonical.view());
  return hasher.Final();
}

}  // namespace vigie::identity
