#include "core/rfc3339_time.h"

#include <cstdio>
#include <ctime>

namespace vigie {

std::string Rfc3339Millis(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()) % 1000;
  if (millis.count() < 0) millis += std::chrono::seconds(1);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis.count()));
  return buf;
}

}  // namespace vigie
