#include "webauthn/internal/authenticator_data.h"

#include <algorithm>

#include "crypto/hash.h"
#include "webauthn/internal/cbor_item.h"

namespace vigie::webauthn::internal {
namespace {

constexpr size_t kFixedPartSize = kRpIdHashSize + 1 + 4;  // rpIdHash, flags, signCount

std::unexpected<Error> Invalid(std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument, "authenticator data: " + std::string(why));
}

std::unexpected<Error> Refused(std::string_view why) {
  return Fail(ErrorCode::kUnauthenticated, std::string(why));
}

// Reads one CBOR map from the front of `rest` and returns the bytes it took.
Result<std::span<const uint8_t>> TakeCborMap(std::span<const uint8_t>& rest,
                                             std::string_view what) {
  auto decoded = DecodeCborPrefix(rest);
  if (!decoded)
    return Fail(decoded.error().WithContext("authenticator data: " + std::string(what)));
  if (!cbor_isa_map(decoded->item.get())) return Invalid(std::string(what) + " is not a CBOR map");
  std::span<const uint8_t> taken = rest.first(decoded->size);
  rest = rest.subspan(decoded->size);
  return taken;
}

}  // namespace

Result<AuthenticatorData> ParseAuthenticatorData(std::span<const uint8_t> data) {
  if (data.size() < kFixedPartSize) return Invalid("shorter than 37 bytes");
  AuthenticatorData parsed;
  parsed.rp_id_hash = data.first(kRpIdHashSize);
  parsed.flags = data[kRpIdHashSize];
  parsed.sign_count = (uint32_t{data[33]} << 24) | (uint32_t{data[34]} << 16) |
                      (uint32_t{data[35]} << 8) | uint32_t{data[36]};
  std::span<const uint8_t> rest = data.subspan(kFixedPartSize);

  if (parsed.Has(kFlagAttestedData)) {
    if (rest.size() < kAaguidSize + 2) return Invalid("attested credential data truncated");
    AttestedCredential attested;
    attested.aaguid = rest.first(kAaguidSize);
    size_t id_size = (size_t{rest[kAaguidSize]} << 8) | rest[kAaguidSize + 1];
    rest = rest.subspan(kAaguidSize + 2);
    if (id_size == 0 || id_size > kMaxCredentialIdSize) {
      return Invalid("credential id length must be 1 to 1023");
    }
    if (rest.size() < id_size) return Invalid("credential id truncated");
    attested.credential_id = rest.first(id_size);
    rest = rest.subspan(id_size);
    ASSIGN_OR_RETURN(attested.public_key_cose, TakeCborMap(rest, "credential public key"));
    parsed.attested = attested;
  }
  if (parsed.Has(kFlagExtensions)) {
    // Extension outputs are not used, but must be skipped exactly to find the end.
    RETURN_IF_ERROR(TakeCborMap(rest, "extensions"));
  }
  if (!rest.empty()) return Invalid("trailing bytes");
  return parsed;
}

Result<void> CheckRelyingPartyAndUser(const AuthenticatorData& data, std::string_view rp_id) {
  crypto::Sha256Digest expected = crypto::Sha256(rp_id);
  if (!std::equal(expected.begin(), expected.end(), data.rp_id_hash.begin(),
                  data.rp_id_hash.end())) {
    return Refused("rpIdHash is not SHA-256 of the relying party id");
  }
  if (!data.Has(kFlagUserPresent)) return Refused("user presence (UP) not set");
  // Security: UV means the authenticator checked a PIN or biometric, so a
  // stolen security key is not enough on its own; UP alone is only a touch.
  if (!data.Has(kFlagUserVerified)) return Refused("user verification (UV) not set");
  if (data.Has(kFlagBackupState) && !data.Has(kFlagBackupEligible)) {
    return Refused("backup state (BS) set without backup eligibility (BE)");
  }
  return {};
}

}  // namespace vigie::webauthn::internal
