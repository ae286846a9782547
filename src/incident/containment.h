#pragma once
// Containment: one command's worth of incident response. For a list of
// agents, a unit or everyone it suspends the agents, revokes every session
// and refresh token they hold, and - when released in the default way -
// forces a new password and a new second factor through a fresh activation
// (its code issued by an administrator, not by the releasing officer).
// A lock-down keeps everyone but security officers out while it lasts.
//
// Effective on the next request: the incident's rows commit first, in one
// transaction, and every request checks them (AccessBarred); the suspensions
// and revocations that follow make it last. Reversible: Release lifts it.
// Auditing is the caller's (app), with who did it and why.
//
// Thread-safety: one Containment per connection, used by one thread at a
// time. REQUIRES: no transaction open on the connection.
// Errors: InvalidArgument (reason, scope), NotFound (an agent, unit or
// incident), Conflict (already released), store errors.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "identity/agent_directory.h"
#include "identity/options.h"
#include "session/session_options.h"
#include "store/store.h"

namespace vigie::incident {

struct ContainmentScope {
  std::vector<std::string> service_numbers;  // these agents (security officers included)
  std::string unit_code;                     // this unit's agents
  bool everyone = false;                     // every agent
  // Unit and everyone leave security officers out: they are the ones
  // responding (name one to contain them too).
};

struct ContainRequest {
  ContainmentScope scope;  // may be empty only with lockdown
  std::string reason;      // 1..500 bytes of UTF-8 text, required
  bool lockdown = false;   // only security officers may log in or act
  std::string by;          // who ordered it (service number)
};

enum class ReleaseMode {
  kReset,      // credentials erased: an administrator's code, new password and factor
  kReinstate,  // back as they were (a false alarm)
};

// "reset" or "reinstate", as the API and the database name them.
std::string_view ReleaseModeName(ReleaseMode mode);
// The mode of that name, or nullopt.
std::optional<ReleaseMode> ParseReleaseMode(std::string_view name);

struct Incident {
  int64_t id = 0;
  int64_t opened_at = 0;  // unix seconds
  std::string opened_by;
  std::string reason;
  std::string scope;  // "agents A-1, A-2", "unit BR-75", "everyone", "none"
  bool lockdown = false;
  std::optional<int64_t> released_at;
  std::string released_by;
  // The mode it was released in (a release cut short is finished in it);
  // none while open, and for incidents released before it was recorded.
  std::optional<ReleaseMode> release_mode;
  // Service numbers held: all of them, by service number, from Get, Contain
  // and Release; from List, the first kListedAgents by agent id (the order
  // HeldAgents pages in).
  std::vector<std::string> agents;
  int64_t agent_count = 0;  // how many the incident holds
  // Released, how many its release could not lift (releasing it again
  // finishes the job): 0 for an open incident.
  int64_t unreleased_count = 0;
};

// Agents each incident of a List names: an "everyone" incident holds every
// agent, and a hundred of those would otherwise be read whole for one page.
inline constexpr size_t kListedAgents = 20;
// A list's newest incidents, and at most this many open ones beyond them.
inline constexpr size_t kListedIncidents = 100;
inline constexpr size_t kMaxOpenListed = 1000;

// One agent an incident holds, as HeldAgents pages through them.
struct HeldAgent {
  int64_t agent_id = 0;  // the paging cursor
  std::string service_number;
  bool lifted = false;  // by the incident's release
};

struct Contained {
  Incident incident;
  int64_t sessions_revoked = 0;
  // Agents the incident holds (their sessions are barred from its commit on)
  // whose suspension failed: containing them again finishes it. Empty when
  // every agent was suspended.
  std::vector<std::string> not_suspended;
  // Agents a release made while this ran let go before they were reached:
  // left as the release left them, not suspended.
  std::vector<std::string> released_meanwhile;
  // False when the audit events of what was done could not be recorded
  // after its commit (set by the caller that records them): it stands all
  // the same, and the answer must say so rather than read as refused.
  bool events_recorded = true;
};

struct Released {
  Incident incident;
  // This call marked the incident released (before_release ran in the
  // transaction that did); false when it finished a release cut short.
  bool released_now = false;
  // Agents whose credentials were erased, waiting for an administrator's
  // new activation code (no code is issued here: one in a security
  // officer's hands would let them act as the agent). A reset also erases
  // the credentials of the agents kept suspended or still contained.
  std::vector<identity::Agent> reset;
  std::vector<identity::Agent> reinstated;
  // Suspended before the incident swept them in: left suspended, whatever
  // the mode (lifting that is a decision of its own).
  std::vector<identity::Agent> kept_suspended;
  std::vector<std::string> still_contained;  // held by another open incident
  // Failed (logged): held and suspended until the incident is released again;
  // or, not the release's to decide (see internal/hold_lifter.h), no longer
  // held, for an administrator.
  std::vector<std::string> not_released;
  bool events_recorded = true;  // as Contained's
};

// Why a request must be turned away, read on every request.
struct AccessBar {
  bool lockdown = false;   // an open incident locks the portal down
  bool contained = false;  // an incident holds the agent (open, or its release not done)
};
Result<AccessBar> AccessBarred(store::Connection& db, int64_t agent_id);

// An agent suspended while an incident holds it (by an administrator, by
// detection) stays suspended when that incident is released: the suspension
// is for another reason than the incident's. Call it in the suspension's
// transaction: before it, a containment taking a hold in between would keep
// the agent's status of before the suspension, and its release restore it;
// after it, a release lifting a hold in between would take that suspension
// for the incident's own, and lift it.
Result<void> KeepSuspendedAfterRelease(store::Connection& db, int64_t agent_id);

inline constexpr size_t kMaxReasonBytes = 500;
inline constexpr std::string_view kEndContained = "contained";
// Why a release that resets an agent ends its sessions (as an
// administrator's reset does).
inline constexpr std::string_view kEndReset = "reset";

class Containment {
 public:
  Containment(store::Connection& db, const Clock& clock, const identity::IdentityOptions& identity,
              const session::SessionOptions& sessions)
      : db_(db), clock_(clock), identity_(identity), sessions_(sessions) {}

  Result<Contained> Contain(const ContainRequest& request);

  // Releases the incident, then lifts its hold on each agent
  // (internal/hold_lifter.h). Releasing again finishes a release cut short;
  // Conflict once every hold is lifted. `before_reset` runs inside each
  // agent's reset before it commits, `before_reinstate` inside each agent's
  // reinstatement, `before_release` inside the transaction that marks the
  // incident released (and lifts its lock-down) - not when releasing again
  // (the caller makes its audit event durable there) - and
  // `before_suspend` inside the suspension of an agent the release leaves
  // for an administrator to check (not_released).
  using BeforeRelease = std::function<Result<void>(const Incident&)>;
  Result<Released> Release(int64_t incident_id, std::string_view by, ReleaseMode mode,
                           const identity::AgentDirectory::BeforeCommit& before_reset = {},
                           const identity::AgentDirectory::BeforeCommit& before_reinstate = {},
                           const BeforeRelease& before_release = {},
                           const identity::AgentDirectory::BeforeCommit& before_suspend = {});

  Result<Incident> Get(int64_t incident_id);
  // Newest first: every open incident (up to kMaxOpenListed beyond the
  // newest) and, unless `open_only`, the kListedIncidents newest; each names
  // at most kListedAgents agents.
  Result<std::vector<Incident>> List(bool open_only);
  // The agents incident `incident_id` holds, by agent id from the first
  // above `after_agent_id` (0 for the start): at most `limit` (1..1000).
  // NotFound: no such incident.
  Result<std::vector<HeldAgent>> HeldAgents(int64_t incident_id, int64_t after_agent_id,
                                            size_t limit);

 private:
  Result<std::vector<identity::Agent>> Resolve(const ContainmentScope& scope);

  store::Connection& db_;
  const Clock& clock_;
  identity::IdentityOptions identity_;
  session::SessionOptions sessions_;
};

}  // namespace vigie::incident
