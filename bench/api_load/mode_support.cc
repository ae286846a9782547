#include "bench/api_load/mode_support.h"

#include <cstdio>
#include <mutex>
#include <thread>

#include "bench/api_load/agent_pool.h"
#include "bench/api_load/login_conversation.h"

namespace vigie::bench {
namespace {

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// The server admits two password hashes at a time by default; more logins
// in parallel would only collect 429s.
constexpr size_t kSessionOpeners = 2;

}  // namespace

Result<LoadPlan> PlanFrom(const ApiLoadOptions& options) {
  ASSIGN_OR_RETURN(TargetUrl target, ParseTargetUrl(options.url));
  LoadPlan plan;
  plan.target = std::move(target);
  plan.connect_address = options.connect_address;
  plan.ca_file = options.ca_file;
  plan.connections = options.connections;
  plan.threads = options.threads > 0 ? options.threads
                                     : std::max(1u, std::thread::hardware_concurrency());
  plan.threads = std::min(plan.threads, plan.connections);
  plan.warmup = Millis(options.warmup_seconds);
  plan.duration = Millis(options.duration_seconds);
  plan.response_timeout = options.response_timeout;
  plan.show_progress = options.progress;
  plan.progress_label = options.mode;
  return plan;
}

ApiEndpoint EndpointFrom(const ApiLoadOptions& options, const TargetUrl& target) {
  std::string public_url = options.public_url.empty() ? target.Origin() : options.public_url;
  while (public_url.ends_with('/')) public_url.pop_back();
  return {.host_header = target.HostHeader(), .public_url = public_url};
}

int Report(const Error& error) {
  std::fprintf(stderr, "api_load: %s\n", error.ToString().c_str());
  return 1;
}

int ExitCodeOf(const LoadResult& result) {
  return result.failures == 0 && result.transport_errors == 0 ? 0 : 1;
}

Result<std::vector<ApiSession>> OpenSessions(const LoadPlan& base_plan,
                                             const ApiEndpoint& endpoint,
                                             std::vector<AgentCredential>& agents,
                                             std::chrono::milliseconds max_backoff) {
  LoadPlan plan = base_plan;
  plan.connections = std::min(kSessionOpeners, agents.size());
  plan.threads = 1;
  plan.warmup = {};
  plan.duration = {};  // until every agent has had its turn
  plan.progress_label = "logging agents in";
  AgentPool pool(agents, /*cycle=*/false);
  std::mutex mutex;
  std::vector<ApiSession> sessions;
  auto sink = [&](ApiSession session) {
    std::lock_guard lock(mutex);
    sessions.push_back(std::move(session));
  };
  ASSIGN_OR_RETURN(LoadResult result, RunLoad(plan, [&](size_t) {
                     return std::make_unique<LoginConversation>(
                         endpoint, pool,
                         LoginOptions{.acknowledge_notice = true, .max_backoff = max_backoff},
                         sink);
                   }));
  if (sessions.size() != agents.size()) {
    std::string detail = result.failure_samples.empty() ? "" : " (" + result.failure_samples[0] + ")";
    return Fail(ErrorCode::kUnavailable, std::to_string(agents.size() - sessions.size()) + " of " +
                                             std::to_string(agents.size()) +
                                             " agents could not log in" + detail);
  }
  return sessions;
}

}  // namespace vigie::bench
