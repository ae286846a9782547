#pragma once
// Pieces the modes share: the plan and endpoint from the options, error
// reporting, and opening API sessions for a set of agents.
// Thread-safety: single-threaded helpers (OpenSessions runs the engine).

#include <string>
#include <vector>

#include "bench/api_load/agent_credentials.h"
#include "bench/api_load/api_session.h"
#include "bench/api_load/load_engine.h"
#include "bench/api_load/modes.h"
#include "core/error.h"

namespace vigie::bench {

// Errors: InvalidArgument for a bad URL.
Result<LoadPlan> PlanFrom(const ApiLoadOptions& options);
ApiEndpoint EndpointFrom(const ApiLoadOptions& options, const TargetUrl& target);

// Prints "api_load: <message>" on stderr and returns the exit code.
int Report(const Error& error);
// 0 when the run had no error, 1 otherwise.
int ExitCodeOf(const LoadResult& result);

// Logs each agent in (password, TOTP, use notice) over a couple of
// connections, one session per agent, and stores the TOTP steps used back
// into `agents`. Errors: Unavailable when an agent could not log in.
Result<std::vector<ApiSession>> OpenSessions(const LoadPlan& base_plan,
                                             const ApiEndpoint& endpoint,
                                             std::vector<AgentCredential>& agents,
                                             std::chrono::milliseconds max_backoff);

}  // namespace vigie::bench
