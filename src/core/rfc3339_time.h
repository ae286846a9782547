#pragma once
// Times as the logs write them (log lines, the access log).
// Thread-safety: pure function.

#include <chrono>
#include <string>

namespace vigie {

// "2024-05-01T12:00:00.123Z"
std::string Rfc3339Millis(std::chrono::system_clock::time_point t);

}  // namespace vigie
