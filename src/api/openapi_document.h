#pragma once
// The OpenAPI 3.1 document of API v1 (docs/api/openapi.json), compiled in
// so the server serves exactly the file kept in the repository.

#include <string_view>

namespace vigie::api {

std::string_view OpenApiDocument();

}  // namespace vigie::api
