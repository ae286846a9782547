#include "webauthn/internal/client_data.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <set>
#include <string>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace vigie::webauthn::internal {
namespace {

namespace json = boost::json;
using boost::system::error_code;

std::unexpected<Error> Refused(std::string_view why) {
  return Fail(ErrorCode::kUnauthenticated, "clientDataJSON: " + std::string(why));
}

// A boost::json::basic_parser handler that only notes whether the top-level
// object names a member twice. Security: json::parse keeps the last of two
// equal names silently, so {"type":"webauthn.get","type":"webauthn.create"}
// could read differently here and in any other parser; such input is refused.
class RepeatedMemberFinder {
 public:
  static constexpr size_t max_object_size = size_t(-1);
  static constexpr size_t max_array_size = size_t(-1);
  static constexpr size_t max_key_size = size_t(-1);
  static constexpr size_t max_string_size = size_t(-1);

  bool repeated() const { return repeated_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return Enter(); }
  bool on_object_end(size_t, error_code&) { return Leave(); }
  bool on_array_begin(error_code&) { return Enter(); }
  bool on_array_end(size_t, error_code&) { return Leave(); }
  bool on_key_part(json::string_view s, size_t, error_code&) {
    if (depth_ == 1) key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, size_t, error_code&) {
    if (depth_ != 1) return true;
    key_.append(s.data(), s.size());
    if (!names_.insert(std::move(key_)).second) repeated_ = true;
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view, size_t, error_code&) { return true; }
  bool on_string(json::string_view, size_t, error_code&) { return true; }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, error_code&) { return true; }
  bool on_uint64(uint64_t, json::string_view, error_code&) { return true; }
  bool on_double(double, json::string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  bool Enter() {
    ++depth_;
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  std::string key_;
  std::set<std::string> names_;
  bool repeated_ = false;
};

bool NamesAMemberTwice(std::string_view text) {
  json::basic_parser<RepeatedMemberFinder> parser{json::parse_options{}};
  error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  return ec || parser.handler().repeated();
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
  if (NamesAMemberTwice(text)) {
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
