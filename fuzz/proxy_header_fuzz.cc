// Fuzz target: the PROXY protocol header a balancer sends before a client's
// bytes, read the way the server reads it (exactly the bytes asked for).
#include <string_view>

#include "http/proxy_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view stream(reinterpret_cast<const char*>(data), size);
  using State = vigie::http::ProxyHeader::State;
  size_t read = 0;
  vigie::http::ProxyHeader header = vigie::http::ParseProxyHeader(stream.substr(0, 0));
  while (header.state == State::kNeedMore) {
    // Never asks for nothing, and never past the longest header.
    if (header.more == 0 || read + header.more > vigie::http::kMaxProxyHeaderBytes) __builtin_trap();
    if (read + header.more > size) return 0;
    read += header.more;
    header = vigie::http::ParseProxyHeader(stream.substr(0, read));
  }
  // A complete header is exactly what was read: no client byte consumed.
  if (header.state == State::kComplete && header.size != read) __builtin_trap();
  if (header.state == State::kInvalid && header.error.empty()) __builtin_trap();
  return 0;
}
