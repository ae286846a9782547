#pragma once
// HTTP/1.1 request bytes, built once so the timed loop only writes them.
// Thread-safety: stateless.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigie::bench {

using HeaderList = std::vector<std::pair<std::string_view, std::string_view>>;

// "METHOD path HTTP/1.1", Host, the given headers, then Content-Type:
// application/json and Content-Length when `json_body` is not empty.
// REQUIRES: no CR or LF in any argument but the body.
std::string RequestText(std::string_view method, std::string_view path, std::string_view host,
                        const HeaderList& headers, std::string_view json_body = {});

// The headers of an authenticated API request: Authorization: DPoP <token>
// and the proof.
HeaderList DpopHeaders(const std::string& authorization, const std::string& proof);

}  // namespace vigie::bench
