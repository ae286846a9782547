#include "bench/api_load/conversation.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace vigie::bench {

std::chrono::milliseconds BackoffFor(std::string_view retry_after, std::chrono::milliseconds cap) {
  int64_t seconds = 0;
  auto [end, ec] =
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
  if (ec != std::errc() || end != retry_after.data() + retry_after.size() || seconds < 0) {
    return cap;
  }
  return std::min(cap, std::chrono::milliseconds(seconds * 1000));
}

}  // namespace vigie::bench
