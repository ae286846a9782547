#pragma once
// Times as the access log writes them.
// Thread-safety: pure function.

#include <chrono>
#include <string>

namespace vigie::http::internal {

// "2024-05-01T12:00:00.123Z"
std::string Rfc3339Millis(std::chrono::system_clock::time_point t);

}  // namespace vigie::http::internal
