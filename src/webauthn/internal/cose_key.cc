#include "webauthn/internal/cose_key.h"

#include <algorithm>
#include <optional>
#include <set>

#include "webauthn/internal/cbor_item.h"
#include "webauthn/internal/der_signature.h"
#include "webauthn/webauthn.h"

namespace vigie::webauthn::internal {
namespace {

// COSE_Key labels and values (RFC 9052 §7.1, RFC 9053 §7.1-7.2, IANA "COSE Key Types").
constexpr int64_t kLabelKty = 1;
constexpr int64_t kLabelAlg = 3;
constexpr int64_t kLabelCrv = -1;
constexpr int64_t kLabelX = -2;
constexpr int64_t kLabelY = -3;
constexpr int64_t kLabelD = -4;
constexpr int64_t kKtyOkp = 1;
constexpr int64_t kKtyEc2 = 2;
constexpr int64_t kCrvP256 = 1;
constexpr int64_t kCrvEd25519 = 6;

std::unexpected<Error> Invalid(std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument, "COSE key: " + std::string(why));
}

// The parameters WebAuthn keys use, by label.
struct CoseParameters {
  const cbor_item_t* kty = nullptr;
  const cbor_item_t* alg = nullptr;
  const cbor_item_t* crv = nullptr;
  const cbor_item_t* x = nullptr;
  const cbor_item_t* y = nullptr;
  bool has_private_key = false;
};

Result<CoseParameters> ReadParameters(const cbor_item_t* map) {
  CoseParameters parameters;
  std::set<int64_t> seen;
  for (const cbor_pair& pair : MapEntries(map)) {
    std::optional<int64_t> label = IntegerOf(pair.key);
    if (!label) {
      // Text labels and integers beyond int64 name nothing we use.
      // Security: anything else is refused: a tag around -4 would hide a
      // private key, around another label a repeated one.
      if (!cbor_isa_string(pair.key) && !cbor_isa_uint(pair.key) && !cbor_isa_negint(pair.key)) {
        return Invalid("a label must be an integer or a text string");
      }
      continue;
    }
    if (!seen.insert(*label).second) return Invalid("repeated label " + std::to_string(*label));
    switch (*label) {
      case kLabelKty:
        parameters.kty = pair.value;
        break;
      case kLabelAlg:
        parameters.alg = pair.value;
        break;
      case kLabelCrv:
        parameters.crv = pair.value;
        break;
      case kLabelX:
        parameters.x = pair.value;
        break;
      case kLabelY:
        parameters.y = pair.value;
        break;
      case kLabelD:
        parameters.has_private_key = true;
        break;
      default:
        break;
    }
  }
  return parameters;
}

std::optional<int64_t> IntegerOrNothing(const cbor_item_t* item) {
  return item == nullptr ? std::nullopt : IntegerOf(item);
}

std::optional<std::span<const uint8_t>> CoordinateOf(const cbor_item_t* item, size_t size) {
  auto bytes = item == nullptr ? std::nullopt : BytesOf(item);
  if (!bytes || bytes->size() != size) return std::nullopt;
  return bytes;
}

}  // namespace

Result<CosePublicKey> CosePublicKey::Parse(std::span<const uint8_t> cose_key) {
  auto decoded = DecodeCborPrefix(cose_key);
  if (!decoded) return Fail(decoded.error().WithContext("COSE key"));
  if (decoded->size != cose_key.size()) return Invalid("bytes after the key");
  if (!cbor_isa_map(decoded->item.get())) return Invalid("not a CBOR map");
  ASSIGN_OR_RETURN(CoseParameters parameters, ReadParameters(decoded->item.get()));
  std::optional<int64_t> kty = IntegerOrNothing(parameters.kty);
  std::optional<int64_t> alg = IntegerOrNothing(parameters.alg);
  if (!kty || !alg) return Invalid("kty and alg must be integers");
  std::optional<int64_t> crv = IntegerOrNothing(parameters.crv);
  bool es256 = *kty == kKtyEc2 && *alg == kCoseEs256 && crv == kCrvP256;
  bool eddsa = *kty == kKtyOkp && *alg == kCoseEdDsa && crv == kCrvEd25519;
  if (!es256 && !eddsa) {
    return Fail(ErrorCode::kUnauthenticated,
                "unsupported algorithm: COSE kty " + std::to_string(*kty) + ", alg " +
                    std::to_string(*alg) + (crv ? ", crv " + std::to_string(*crv) : ""));
  }
  // Security: a key that ships its private half has been exposed; it proves nothing.
  if (parameters.has_private_key) return Invalid("holds a private key");

  if (es256) {
    auto x = CoordinateOf(parameters.x, crypto::kP256CoordinateSize);
    auto y = CoordinateOf(parameters.y, crypto::kP256CoordinateSize);
    if (!x || !y) return Invalid("P-256 x and y must be 32-byte strings");
    auto key = crypto::Es256PublicKey::FromCoordinates(*x, *y);
    if (!key) return Invalid("not a P-256 point");
    return CosePublicKey(std::move(*key));
  }
  auto x = CoordinateOf(parameters.x, crypto::kEd25519PublicKeySize);
  if (!x || parameters.y != nullptr) return Invalid("Ed25519 x must be a 32-byte string");
  // Refused now, like a P-256 key off its curve: stored, a key no signature
  // verifies under would turn each sign-in with it into a failure counted
  // against the agent.
  if (!crypto::IsUsableEd25519PublicKey(*x)) return Invalid("not an Ed25519 public key");
  crypto::Ed25519PublicKey key{};
  std::copy(x->begin(), x->end(), key.begin());
  return CosePublicKey(key);
}

int64_t CosePublicKey::algorithm() const {
  return std::holds_alternative<crypto::Es256PublicKey>(key_) ? kCoseEs256 : kCoseEdDsa;
}

Result<void> CosePublicKey::Verify(std::span<const uint8_t> message,
                                   std::span<const uint8_t> signature) const {
  bool good = false;
  if (const auto* es256 = std::get_if<crypto::Es256PublicKey>(&key_)) {
    ASSIGN_OR_RETURN(crypto::Es256Signature raw, DerToEs256Signature(signature));
    good = es256->Verify(message, raw);
  } else {
    good = crypto::Ed25519Verify(std::get<crypto::Ed25519PublicKey>(key_), message, signature);
  }
  if (!good) return Fail(ErrorCode::kUnauthenticated, "bad signature");
  return {};
}

}  // namespace vigie::webauthn::internal
