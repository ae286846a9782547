#pragma once
// Drives many keep-alive HTTP/1.1 connections (plain or TLS) against one
// server, each running its own Conversation, and measures what comes back.
// Every connection is opened (and its TLS handshake done) before the clock
// starts; requests that complete during the warm-up are not counted; the
// measured window is [warm-up end, warm-up end + duration).
// Asio and Beast stay inside load_engine.cc.
// Thread-safety: RunLoad blocks; it runs `threads` event loops, each
// serving a share of the connections.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/api_load/conversation.h"
#include "bench/api_load/latency_sample.h"
#include "bench/api_load/target_url.h"
#include "core/error.h"

namespace vigie::bench {

struct LoadPlan {
  TargetUrl target;
  std::string connect_address;  // "" = resolve target.host (IPv4 first)
  std::string ca_file;          // TLS: trust anchor; "" = no certificate verification
  size_t connections = 64;
  size_t threads = 1;
  std::chrono::milliseconds warmup{1000};
  // 0: run until every conversation has ended, counting everything.
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds response_timeout{10000};
  bool show_progress = false;  // one line a second on stderr
  std::string progress_label = "load";
};

struct LoadResult {
  double measured_seconds = 0;
  uint64_t requests = 0;  // responses received in the window
  uint64_t successes = 0;
  uint64_t refused = 0;
  uint64_t failures = 0;
  uint64_t operations = 0;
  uint64_t transport_errors = 0;  // resets, timeouts, failed reconnections
  uint64_t reconnections = 0;
  std::map<int, uint64_t> statuses;
  LatencySample latency;  // every response in the window
  // The first few responses that were not a success ("status: body", the
  // body cut short), to tell what went wrong.
  std::vector<std::string> failure_samples;
  // The connections of groups 1, 2, … (Conversation::group), counted apart.
  std::vector<LoadResult> side_groups;
};

// Makes the conversation of connection `index` (0 … connections - 1).
using ConversationFactory = std::function<std::unique_ptr<Conversation>(size_t index)>;

// Errors: InvalidArgument for a bad plan; Unavailable when the address
// cannot be resolved, the CA file cannot be loaded, or a connection cannot
// be opened before the start.
Result<LoadResult> RunLoad(const LoadPlan& plan, const ConversationFactory& make_conversation);

}  // namespace vigie::bench
