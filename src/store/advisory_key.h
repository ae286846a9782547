#pragma once
// The 64-bit key of a PostgreSQL advisory lock for `name` within `space`
// (Transaction::BeginQueued's queues, a serving node's claim): the first 8
// bytes of SHA-256 over both, so keys of different spaces do not meet.
// Thread-safety: a pure function.

#include <cstdint>
#include <string_view>

namespace vigie::store {

int64_t AdvisoryKey(std::string_view space, std::string_view name);

// For a session that holds an advisory lock: the server ends it within
// seconds of its client vanishing (power cut, crash, cut link), not after
// the OS's two hours of silence, so the lock does not outlive the holder.
// Every PostgreSQL session runs it when configured (on a reconnection too).
constexpr const char* kSessionKeepalives =
    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
    "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 10000;";

// The two 32-bit halves, as pg_advisory_*lock(integer, integer) and
// pg_locks' classid/objid name them (apart from the single 64-bit keys).
inline int32_t AdvisoryKeyHigh(int64_t key) {
  return static_cast<int32_t>(static_cast<uint64_t>(key) >> 32);
}
inline int32_t AdvisoryKeyLow(int64_t key) {
  return static_cast<int32_t>(static_cast<uint64_t>(key) & 0xffffffffu);
}

}  // namespace vigie::store
