// Fuzz target: API v1 request bodies — the strict JSON reader every route
// uses, then each kind of field read.
#include <string_view>

#include "api/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vigie::api::JsonBody;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = JsonBody::Parse(text, {"surname", "purpose", "roles", "count"});
  if (!body) return 0;
  (void)body->RequiredString("surname", 400);
  (void)body->OptionalString("purpose", 64);
  (void)body->OptionalStringList("roles", 8, 64);
  (void)body->RequiredInt("count", -5, 5);
  return 0;
}
