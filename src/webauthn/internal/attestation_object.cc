#include "webauthn/internal/attestation_object.h"

#include "webauthn/internal/cbor_item.h"

namespace vigie::webauthn::internal {
namespace {

std::unexpected<Error> Invalid(std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument, "attestation object: " + std::string(why));
}

}  // namespace

Result<AttestationObject> ParseAttestationObject(std::span<const uint8_t> data) {
  auto decoded = DecodeCborPrefix(data);
  if (!decoded) return Fail(decoded.error().WithContext("attestation object"));
  if (decoded->size != data.size()) return Invalid("trailing bytes");
  const cbor_item_t* map = decoded->item.get();
  if (!cbor_isa_map(map)) return Invalid("not a CBOR map");

  const cbor_item_t* fmt = nullptr;
  const cbor_item_t* statement = nullptr;
  const cbor_item_t* authenticator_data = nullptr;
  for (const cbor_pair& pair : MapEntries(map)) {
    std::optional<std::string_view> name = TextOf(pair.key);
    const cbor_item_t** slot = nullptr;
    if (name == "fmt") slot = &fmt;
    if (name == "attStmt") slot = &statement;
    if (name == "authData") slot = &authenticator_data;
    if (slot == nullptr) return Invalid("unexpected member");
    if (*slot != nullptr) return Invalid("member named twice");
    *slot = pair.value;
  }
  if (fmt == nullptr || statement == nullptr || authenticator_data == nullptr) {
    return Invalid("fmt, attStmt and authData are required");
  }
  std::optional<std::string_view> fmt_text = TextOf(fmt);
  std::optional<std::span<const uint8_t>> bytes = BytesOf(authenticator_data);
  if (!fmt_text || !cbor_isa_map(statement) || !bytes) {
    return Invalid("fmt must be text, attStmt a map and authData bytes");
  }
  return AttestationObject{std::string(*fmt_text), cbor_map_size(statement),
                           std::vector<uint8_t>(bytes->begin(), bytes->end())};
}

}  // namespace vigie::webauthn::internal
