// The search mode: log K agents in, sign a stock of proofs for each, then
// run N keep-alive connections of authenticated searches against real
// names (connection i searches as agent i mod K).

#include <atomic>
#include <cmath>
#include <cstdio>
#include <thread>

#include "bench/api_load/mode_support.h"
#include "bench/api_load/modes.h"
#include "bench/api_load/query_set.h"
#include "bench/api_load/run_report.h"
#include "bench/api_load/search_requests.h"
#include "bench/api_load/simple_conversations.h"
#include "bench/api_load/verify_ceiling.h"

namespace vigie::bench {
namespace {

// Signed proofs beyond the verify ceiling's worth, so even a server at the
// ceiling never meets an empty stock.
constexpr double kStockMargin = 1.15;
constexpr std::chrono::milliseconds kCalibration{300};
// Proofs older than the server's lifetime minus this are a risk.
constexpr double kProofAgeMargin = 5;

// How many requests to sign: as many as the server could verify at best
// during warm-up plus run (cores x one core's ES256 verify rate).
size_t StockSize(const ApiLoadOptions& options) {
  if (options.proofs > 0) return options.proofs;
  VerifyCeiling ceiling = MeasureVerifyCeiling(kCalibration);
  double seconds = options.warmup_seconds + options.duration_seconds;
  return static_cast<size_t>(std::ceil(ceiling.per_second() * seconds * kStockMargin));
}

}  // namespace

int RunSearchMode(const ApiLoadOptions& options) {
  auto plan = PlanFrom(options);
  if (!plan) return Report(plan.error());
  ApiEndpoint endpoint = EndpointFrom(options, plan->target);
  auto all_agents = LoadCredentials(options.credentials_file);
  if (!all_agents) return Report(all_agents.error());
  if (options.agents == 0 || all_agents->size() < options.agents) {
    return Report(Error(ErrorCode::kInvalidArgument,
                        "need " + std::to_string(options.agents) + " agents in " +
                            options.credentials_file.string()));
  }
  auto bodies = LoadSearchBodies(options.persons_file, options.queries, options.purpose,
                                 options.case_reference);
  if (!bodies) return Report(bodies.error());

  std::vector<AgentCredential> agents(all_agents->begin(),
                                      all_agents->begin() + static_cast<ptrdiff_t>(options.agents));
  auto sessions = OpenSessions(*plan, endpoint, agents, options.max_backoff);
  std::copy(agents.begin(), agents.end(), all_agents->begin());
  if (auto saved = SaveCredentials(options.credentials_file, *all_agents); !saved) {
    return Report(saved.error());
  }
  if (!sessions) return Report(sessions.error());

  size_t total = StockSize(options);
  size_t per_session = total / sessions->size() + 1;
  size_t signers = std::max(1u, std::thread::hardware_concurrency());
  auto signing_start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<SearchRequestStock>> stocks;
  for (size_t k = 0; k < sessions->size(); ++k) {
    size_t first_body = k * bodies->size() / sessions->size();
    stocks.push_back(SearchRequestStock::Sign((*sessions)[k], endpoint, *bodies, first_body,
                                              per_session, signers));
  }
  double signing_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signing_start).count();
  double oldest_use = signing_seconds + options.warmup_seconds + options.duration_seconds;
  if (oldest_use > options.proof_lifetime_seconds - kProofAgeMargin) {
    std::fprintf(stderr,
                 "api_load: warning: the first proofs will be %.0f s old by the end of the run, "
                 "close to the server's %d s lifetime; shorten --duration or set --proofs\n",
                 oldest_use, options.proof_lifetime_seconds);
  }

  std::atomic<uint64_t> signed_in_line{0};
  plan->connections = options.connections + options.flood_connections;
  auto result = RunLoad(*plan, [&](size_t index) -> std::unique_ptr<Conversation> {
    if (index >= options.connections) {
      return std::make_unique<LoginFloodConversation>(endpoint, index, options.flood_backoff,
                                                      /*group=*/1);
    }
    size_t k = index % sessions->size();
    return std::make_unique<SearchConversation>((*sessions)[k], endpoint, *stocks[k], *bodies,
                                                index * 7919, signed_in_line);
  });
  if (!result) return Report(result.error());
  RunDescription description{
      .mode = options.mode,
      .label = options.label,
      .url = options.url,
      .connections = options.connections,
      .warmup_seconds = options.warmup_seconds,
      .extra = {{"agents", std::to_string(sessions->size())},
                {"queries", std::to_string(bodies->size())},
                {"proofs_signed", std::to_string(per_session * sessions->size())},
                {"signing_s", Fixed(signing_seconds, 2)},
                {"signed_in_line", std::to_string(signed_in_line.load())},
                {"flood_connections", std::to_string(options.flood_connections)}}};
  if (signed_in_line.load() > 0) {
    std::fprintf(stderr, "api_load: warning: %llu proofs were signed during the timed run\n",
                 static_cast<unsigned long long>(signed_in_line.load()));
  }
  PrintReport(description, *result);
  for (LoadResult& flood : result->side_groups) {
    PrintReport({.mode = "login-flood",
                 .label = options.label,
                 .url = options.url,
                 .connections = options.flood_connections,
                 .warmup_seconds = options.warmup_seconds,
                 .extra = {}},
                flood);
  }
  return ExitCodeOf(*result);
}

}  // namespace vigie::bench
