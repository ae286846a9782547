#include "bench/api_load/request_text.h"

namespace vigie::bench {

std::string RequestText(std::string_view method, std::string_view path, std::string_view host,
                        const HeaderList& headers, std::string_view json_body) {
  std::string text;
  text.reserve(256 + json_body.size() + (headers.size() * 64));
  text.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  text.append("\r\n");
  for (const auto& [name, value] : headers) text.append(name).append(": ").append(value).append("\r\n");
  if (!json_body.empty()) {
    text.append("Content-Type: application/json\r\nContent-Length: ");
    text.append(std::to_string(json_body.size())).append("\r\n");
  }
  text.append("\r\n").append(json_body);
  return text;
}

HeaderList DpopHeaders(const std::string& authorization, const std::string& proof) {
  return {{"Authorization", authorization}, {"DPoP", proof}};
}

}  // namespace vigie::bench
