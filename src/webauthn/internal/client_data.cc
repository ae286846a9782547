#include "webauthn/internal/client_data.h"

#include <boost/json.hpp>
#include <string>

#include "core/json_keys.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace vigie::webauthn::internal {
namespace {

namespace json = boost::json;
using boost::system::error_code;

std::unexpected<Error> Refused(std::string_view why) {
  return Fail(ErrorCode::kUnauthenticated, "clientDataJSON: " + std::string(why));
}

const json::string* StringMember(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  return it != object.end() && it->value().is_string() ? &it->value().as_string() : nullptr;
}

}  // namespace

Result<void> CheckClientData(std::span<const uint8_t> client_data_json,
                             std::string_view expected_type, std::span<const uint8_t> challenge,
                             const RelyingParty& rp) {
  std::string_view text = crypto::AsText(client_data_json);
  error_code ec;
  json::value value = json::parse(text, ec);  // refuses invalid UTF-8
  if (ec || !value.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "clientDataJSON is not a JSON object");
  }
  if (RepeatedJsonKey(text)) {
    return Fail(ErrorCode::kInvalidArgument, "clientDataJSON names a member twice");
  }
  const json::object& object = value.as_object();

  const json::string* type = StringMember(object, "type");
  if (type == nullptr || *type != expected_type) {
    return Refused("type is not " + std::string(expected_type));
  }
  const json::string* sent_challenge = StringMember(object, "challenge");
  if (sent_challenge == nullptr || *sent_challenge != crypto::Base64UrlEncode(challenge)) {
    return Refused("challenge does not match");
  }
  const json::string* origin = StringMember(object, "origin");
  if (origin == nullptr || std::find(rp.origins.begin(), rp.origins.end(),
                                     std::string_view(*origin)) == rp.origins.end()) {
    return Refused("origin is not one of the relying party's");
  }
  // Security: a credential used from inside another site's frame is refused.
  auto cross_origin = object.find("crossOrigin");
  if (cross_origin != object.end() &&
      !(cross_origin->value().is_bool() && !cross_origin->value().as_bool())) {
    return Refused("cross-origin use is not allowed");
  }
  if (object.contains("topOrigin"))
    return Refused("topOrigin present: embedded use is not allowed");
  return {};
}

}  // namespace vigie::webauthn::internal
