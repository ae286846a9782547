#include "bench/api_load/modes.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "bench/api_load/agent_pool.h"
#include "bench/api_load/login_conversation.h"
#include "bench/api_load/mode_support.h"
#include "bench/api_load/request_text.h"
#include "bench/api_load/run_report.h"
#include "bench/api_load/simple_conversations.h"
#include "bench/api_load/verify_ceiling.h"

namespace vigie::bench {
namespace {

RunDescription Describe(const ApiLoadOptions& options, const LoadPlan& plan) {
  return {.mode = options.mode,
          .label = options.label,
          .url = options.url,
          .connections = plan.connections,
          .warmup_seconds = std::chrono::duration<double>(plan.warmup).count(),
          .extra = {}};
}

}  // namespace

int RunActivateMode(const ApiLoadOptions& options) {
  auto plan = PlanFrom(options);
  if (!plan) return Report(plan.error());
  auto pending = LoadActivationCodes(options.codes_file);
  if (!pending) return Report(pending.error());
  std::vector<AgentCredential> credentials;
  if (std::filesystem::exists(options.credentials_file)) {
    auto existing = LoadCredentials(options.credentials_file);
    if (!existing) return Report(existing.error());
    credentials = std::move(*existing);
  }
  ApiEndpoint endpoint = EndpointFrom(options, plan->target);
  plan->warmup = {};
  plan->duration = {};  // until every code is used
  std::atomic<size_t> next_pending{0};
  std::mutex mutex;
  auto sink = [&](AgentCredential credential) {
    std::lock_guard lock(mutex);
    credentials.push_back(std::move(credential));
  };
  auto result = RunLoad(*plan, [&](size_t) {
    return std::make_unique<ActivationConversation>(endpoint, *pending, next_pending, sink);
  });
  if (!result) return Report(result.error());
  if (auto saved = SaveCredentials(options.credentials_file, credentials); !saved) {
    return Report(saved.error());
  }
  PrintReport(Describe(options, *plan), *result);
  return ExitCodeOf(*result);
}

int RunStaticMode(const ApiLoadOptions& options) {
  auto plan = PlanFrom(options);
  if (!plan) return Report(plan.error());
  std::string request = RequestText("GET", plan->target.path, plan->target.HostHeader(), {});
  auto result = RunLoad(*plan, [&](size_t) {
    return std::make_unique<FixedRequestConversation>(request, 200);
  });
  if (!result) return Report(result.error());
  PrintReport(Describe(options, *plan), *result);
  return ExitCodeOf(*result);
}

int RunLoginMode(const ApiLoadOptions& options) {
  auto plan = PlanFrom(options);
  if (!plan) return Report(plan.error());
  auto agents = LoadCredentials(options.credentials_file);
  if (!agents) return Report(agents.error());
  if (agents->empty()) return Report(Error(ErrorCode::kInvalidArgument, "no agent to log in"));
  ApiEndpoint endpoint = EndpointFrom(options, plan->target);
  AgentPool pool(*agents, /*cycle=*/true);
  auto result = RunLoad(*plan, [&](size_t) {
    return std::make_unique<LoginConversation>(
        endpoint, pool, LoginOptions{.acknowledge_notice = false, .max_backoff = options.max_backoff},
        nullptr);
  });
  // The TOTP steps used are kept even if the run failed: they are spent.
  if (auto saved = SaveCredentials(options.credentials_file, *agents); !saved) {
    return Report(saved.error());
  }
  if (!result) return Report(result.error());
  RunDescription description = Describe(options, *plan);
  description.extra = {{"agents", std::to_string(agents->size())}};
  PrintReport(description, *result);
  return ExitCodeOf(*result);
}

int RunLoginFloodMode(const ApiLoadOptions& options) {
  auto plan = PlanFrom(options);
  if (!plan) return Report(plan.error());
  ApiEndpoint endpoint = EndpointFrom(options, plan->target);
  auto result = RunLoad(*plan, [&](size_t index) {
    return std::make_unique<LoginFloodConversation>(endpoint, index, options.flood_backoff);
  });
  if (!result) return Report(result.error());
  PrintReport(Describe(options, *plan), *result);
  return ExitCodeOf(*result);
}

int RunVerifyMode(const ApiLoadOptions& options) {
  VerifyCeiling ceiling = MeasureVerifyCeiling(
      std::chrono::milliseconds(static_cast<int64_t>(options.verify_seconds * 1000)));
  std::printf("== ES256 verify (OpenSSL via crypto::Es256PublicKey), one core: %.0f/s (%.1f us); "
              "x %zu cores = %.0f/s\n",
              ceiling.single_core_per_second, 1e6 / ceiling.single_core_per_second, ceiling.cores,
              ceiling.per_second());
  std::printf("RESULT mode=verify single_core_per_s=%s cores=%zu ceiling_per_s=%s\n",
              Fixed(ceiling.single_core_per_second, 1).c_str(), ceiling.cores,
              Fixed(ceiling.per_second(), 1).c_str());
  return 0;
}

}  // namespace vigie::bench
