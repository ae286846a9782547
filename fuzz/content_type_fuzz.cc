// Fuzz target: a request's Content-Type header, as the API checks it before
// any route reads a body; and a client-supplied address, as investigators'
// filters and the server's peer records read it.
#include <string>
#include <string_view>

#include "api/internal/content_type.h"
#include "http/peer_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigie::http::Request request;
  request.method = "POST";
  request.body = "{}";
  request.headers.emplace_back("Content-Type", std::string(text));
  (void)vigie::api::internal::CheckJsonContentType(request);
  (void)vigie::http::CanonicalPeerAddress(text);
  return 0;
}
