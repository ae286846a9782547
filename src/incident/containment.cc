#include "incident/containment.h"

#include <algorithm>
#include <set>

#include "core/log.h"
#include "incident/internal/hold_lifter.h"
#include "records/name_normaliser.h"
#include "session/session_store.h"
#include "store/retry.h"

namespace vigie::incident {
namespace {

using identity::Agent;
using identity::AgentStatus;
using identity::Role;

Result<void> CheckReason(std::string_view reason) {
  const bool blank = reason.find_first_not_of(" \t\n") == std::string_view::npos;
  if (blank || reason.size() > kMaxReasonBytes || !records::IsPlainText(reason)) {
    return Fail(ErrorCode::kInvalidArgument,
                "a containment needs its reason: 1 to 500 bytes of UTF-8 text");
  }
  return {};
}

std::string ScopeText(const ContainmentScope& scope) {
  if (scope.everyone) return "everyone";
  if (!scope.unit_code.empty()) return "unit " + scope.unit_code;
  if (scope.service_numbers.empty()) return "none";
  std::string text = "agents ";
  for (size_t i = 0; i < scope.service_numbers.size(); ++i) {
    text += (i == 0 ? "" : ", ") + scope.service_numbers[i];
  }
  return text;
}

Incident ReadIncident(const store::Statement& row) {
  Incident incident;
  incident.id = row.ColumnInt(0);
  incident.opened_at = row.ColumnInt(1);
  incident.opened_by = std::string(row.ColumnText(2));
  incident.reason = std::string(row.ColumnText(3));
  incident.scope = std::string(row.ColumnText(4));
  incident.lockdown = row.ColumnInt(5) != 0;
  if (!row.ColumnIsNull(6)) {
    incident.released_at = row.ColumnInt(6);
    incident.released_by = std::string(row.ColumnText(7));
    if (!row.ColumnIsNull(8)) incident.release_mode = ParseReleaseMode(row.ColumnText(8));
  }
  return incident;
}

constexpr std::string_view kIncidentColumns =
    "id, opened_at, opened_by, reason, scope, lockdown, released_at, released_by, release_mode";
constexpr int kIncidentColumnCount = 9;

// The agents an incident holds: (id, service number, status before).
struct Held {
  int64_t agent_id;
  std::string service_number;
  bool lifted;  // by this incident's release
};

Result<std::vector<Held>> ReadHeld(store::Statement& select) {
  std::vector<Held> held;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    held.push_back(
        Held{select.ColumnInt(0), std::string(select.ColumnText(1)), select.ColumnInt(2) != 0});
  }
  return held;
}

constexpr std::string_view kHeldColumns =
    "SELECT ia.agent_id, a.service_number, CASE WHEN ia.lifted_at IS NULL THEN 0 ELSE 1 END "
    "FROM incident_agent ia JOIN agent a ON a.id = ia.agent_id ";

// Every agent the incident holds, by service number in byte order whatever
// the database's collation (as Contain lists them).
Result<std::vector<Held>> HeldBy(store::Connection& db, int64_t incident_id) {
  static const std::string kSql = std::string(kHeldColumns) + "WHERE ia.incident_id = $1";
  ASSIGN_OR_RETURN(store::Statement * select, db.Prepare(kSql));
  select->BindInt(1, incident_id);
  ASSIGN_OR_RETURN(std::vector<Held> held, ReadHeld(*select));
  std::ranges::sort(held, {}, &Held::service_number);
  return held;
}

// At most `limit` of them, by agent id from the first above `after_agent_id`:
// along the table's key, so a page of an "everyone" incident reads that page.
Result<std::vector<Held>> HeldPage(store::Connection& db, int64_t incident_id,
                                   int64_t after_agent_id, size_t limit) {
  static const std::string kSql = std::string(kHeldColumns) +
                                  "WHERE ia.incident_id = $1 AND ia.agent_id > $2 "
                                  "ORDER BY ia.agent_id LIMIT $3";
  ASSIGN_OR_RETURN(store::Statement * select, db.Prepare(kSql));
  select->BindInt(1, incident_id)
      .BindInt(2, after_agent_id)
      .BindInt(3, static_cast<int64_t>(limit));
  return ReadHeld(*select);
}

// Whether `incident_id`'s hold on `agent_id` was lifted (a release).
Result<bool> HoldLifted(store::Connection& db, int64_t incident_id, int64_t agent_id) {
  ASSIGN_OR_RETURN(store::Statement * select,
                   db.Prepare("SELECT CASE WHEN lifted_at IS NULL THEN 0 ELSE 1 END FROM "
                              "incident_agent WHERE incident_id = $1 AND agent_id = $2"));
  select->BindInt(1, incident_id).BindInt(2, agent_id);
  ASSIGN_OR_RETURN(bool row, select->Step());
  const bool lifted = row && select->ColumnInt(0) == 1;
  RETURN_IF_ERROR(select->Run());
  return lifted;
}

}  // namespace

std::optional<ReleaseMode> ParseReleaseMode(std::string_view name) {
  for (ReleaseMode mode : {ReleaseMode::kReset, ReleaseMode::kReinstate}) {
    if (ReleaseModeName(mode) == name) return mode;
  }
  return std::nullopt;
}

std::string_view ReleaseModeName(ReleaseMode mode) {
  switch (mode) {
    case ReleaseMode::kReset:
      return "reset";
    case ReleaseMode::kReinstate:
      return "reinstate";
  }
  return "reset";
}

Result<AccessBar> AccessBarred(store::Connection& db, int64_t agent_id) {
  // One indexed statement per request: an open lock-down, and an open
  // incident holding this agent.
  // A hold bars until its release has lifted it (migration 9).
  ASSIGN_OR_RETURN(
      store::Statement * select,
      db.Prepare(
          "SELECT EXISTS (SELECT 1 FROM incident WHERE released_at IS NULL AND lockdown = 1),"
          " EXISTS (SELECT 1 FROM incident_agent WHERE agent_id = $1 AND lifted_at IS NULL)"));
  select->BindInt(1, agent_id);
  ASSIGN_OR_RETURN(bool row, select->Step());
  if (!row) return Fail(ErrorCode::kInternal, "access check returned no row");
  AccessBar bar{.lockdown = select->ColumnInt(0) != 0, .contained = select->ColumnInt(1) != 0};
  RETURN_IF_ERROR(select->Run());
  return bar;
}

Result<std::vector<Agent>> Containment::Resolve(const ContainmentScope& scope) {
  const int chosen = (scope.everyone ? 1 : 0) + (scope.unit_code.empty() ? 0 : 1) +
                     (scope.service_numbers.empty() ? 0 : 1);
  if (chosen > 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "contain either agents, a unit or everyone, not several at once");
  }
  identity::AgentDirectory directory(db_, clock_, identity_);
  std::vector<Agent> agents;
  if (!scope.service_numbers.empty()) {
    std::set<int64_t> seen;  // by id: "gn-1" and "GN-1" are one agent
    for (const std::string& number : scope.service_numbers) {
      ASSIGN_OR_RETURN(Agent agent, directory.FindAgent(number));
      if (!seen.insert(agent.id).second) continue;
      agents.push_back(std::move(agent));
    }
    return agents;
  }
  if (!scope.everyone && scope.unit_code.empty()) return agents;
  identity::AgentQuery query{.limit = identity::kMaxAgentPage};
  if (!scope.unit_code.empty()) {
    ASSIGN_OR_RETURN(identity::Unit unit, directory.FindUnit(scope.unit_code));
    query.unit_code = unit.code;
  }
  while (true) {
    ASSIGN_OR_RETURN(std::vector<Agent> page, directory.ListAgents(query));
    if (page.empty()) break;
    query.after_id = page.back().id;
    for (Agent& agent : page) {
      if (identity::SparedByContainment(agent.roles)) continue;
      agents.push_back(std::move(agent));
    }
  }
  return agents;
}

Result<Contained> Containment::Contain(const ContainRequest& request) {
  RETURN_IF_ERROR(CheckReason(request.reason));
  ASSIGN_OR_RETURN(std::vector<Agent> agents, Resolve(request.scope));
  // Disabled accounts hold nothing to contain: a scope of only those (named,
  // or a unit's) opens no incident holding nobody.
  const bool any_in_scope = !agents.empty();
  std::erase_if(agents, [](const Agent& a) { return a.status == AgentStatus::kDisabled; });
  if (agents.empty() && !request.lockdown) {
    return Fail(ErrorCode::kInvalidArgument,
                any_in_scope ? "nobody to contain: every agent in scope is disabled"
                             : "nobody to contain: name agents, a unit or everyone, or lock the "
                               "portal down");
  }
  const int64_t now = UnixSeconds(clock_.Now());
  Contained done;
  // Agents logging in meanwhile may collide with it on PostgreSQL: run again.
  ASSIGN_OR_RETURN(done.incident.id, store::RetryOnConflict([&]() -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    ASSIGN_OR_RETURN(store::Statement * insert,
                     db_.Prepare("INSERT INTO incident (opened_at, opened_by, reason, scope, "
                                 "lockdown, agent_count) VALUES ($1, $2, $3, $4, $5, $6) "
                                 "RETURNING id"));
    insert->BindInt(1, now)
        .BindText(2, request.by)
        .BindText(3, request.reason)
        .BindText(4, ScopeText(request.scope))
        .BindInt(5, request.lockdown ? 1 : 0)
        .BindInt(6, static_cast<int64_t>(agents.size()));
    ASSIGN_OR_RETURN(bool row, insert->Step());
    if (!row) return Fail(ErrorCode::kInternal, "incident insert returned no id");
    const int64_t id = insert->ColumnInt(0);
    RETURN_IF_ERROR(insert->Run());
    for (const Agent& agent : agents) {
      // An agent another incident still holds (open, or released but not
      // yet lifted) is suspended by it: the status to come back to is the
      // one that hold kept. Otherwise the status now, read in this
      // transaction (one read before it could miss a suspension meanwhile).
      ASSIGN_OR_RETURN(
          store::Statement * hold,
          db_.Prepare("INSERT INTO incident_agent (incident_id, agent_id, prior_status) "
                      "VALUES ($1, $2, coalesce((SELECT h.prior_status FROM incident_agent h "
                      "WHERE h.agent_id = $2 AND h.lifted_at IS NULL AND h.incident_id <> $1 "
                      "ORDER BY h.incident_id LIMIT 1), "
                      "(SELECT status FROM agent WHERE id = $2)))"));
      hold->BindInt(1, id).BindInt(2, agent.id);
      RETURN_IF_ERROR(hold->Run());
    }
    RETURN_IF_ERROR(tx.Commit());
    return id;
  }));
  // Held from here on; now make it last.
  identity::AgentDirectory directory(db_, clock_, identity_);
  session::SessionStore sessions(db_, clock_, sessions_);
  // One agent's failure does not leave the others as they were: each is
  // tried, and the ones that failed are reported (the incident holds them).
  for (const Agent& agent : agents) {
    // A release made meanwhile (a false alarm called off while a large
    // containment goes on) lifted this agent's hold and ended its sessions:
    // suspended now, it would stay so with no incident holding it. Checked
    // in the suspension's transaction; a release that read the agent active
    // before this suspension checks the status again as it lifts.
    bool lifted = false;
    Result<Agent> suspended =
        directory.Suspend(agent.service_number, [&](const Agent&) -> Result<void> {
          ASSIGN_OR_RETURN(lifted, HoldLifted(db_, done.incident.id, agent.id));
          if (lifted) return Fail(ErrorCode::kConflict, "released meanwhile");
          return {};
        });
    if (lifted) {
      Log(LogLevel::kInfo, "incident_agent_released_meanwhile",
          {{"incident", done.incident.id}, {"agent", agent.service_number}});
      done.released_meanwhile.push_back(agent.service_number);
      continue;
    }
    if (!suspended) {
      Log(LogLevel::kError, "incident_agent_not_suspended",
          {{"incident", done.incident.id},
           {"agent", agent.service_number},
           {"error", suspended.error().message()}});
      done.not_suspended.push_back(agent.service_number);
    }
    // Revoked even when the suspension failed: the incident alone would only
    // refuse the sessions while it is open, and they would live again after
    // a release. One left unrevoked is refused on its next request all the
    // same (the incident bars it), so this is logged.
    if (Result<int64_t> revoked = sessions.RevokeAllForAgent(agent.id, kEndContained); revoked) {
      done.sessions_revoked += *revoked;
    } else {
      Log(LogLevel::kError, "incident_sessions_not_revoked",
          {{"incident", done.incident.id},
           {"agent", agent.service_number},
           {"error", revoked.error().message()}});
    }
  }
  // As committed, not read back: a failed read now would report refused a
  // containment that holds and has suspended its agents.
  done.incident.opened_at = now;
  done.incident.opened_by = request.by;
  done.incident.reason = request.reason;
  done.incident.scope = ScopeText(request.scope);
  done.incident.lockdown = request.lockdown;
  done.incident.agent_count = static_cast<int64_t>(agents.size());
  for (const Agent& agent : agents) done.incident.agents.push_back(agent.service_number);
  // As Get lists them, whatever order the request named them in.
  std::ranges::sort(done.incident.agents);
  std::ranges::sort(done.not_suspended);
  std::ranges::sort(done.released_meanwhile);
  return done;
}

Result<Released> Containment::Release(
    int64_t incident_id, std::string_view by, ReleaseMode mode,
    const identity::AgentDirectory::BeforeCommit& before_reset,
    const identity::AgentDirectory::BeforeCommit& before_reinstate,
    const BeforeRelease& before_release,
    const identity::AgentDirectory::BeforeCommit& before_suspend) {
  Released done;
  Incident marked_as;  // as the committed transaction left it
  // Two officers releasing at once, or a login reading the incident: run
  // again on a conflict (as Contain does), not answered as unavailable.
  const Result<void> marked = store::RetryOnConflict([&]() -> Result<void> {
    ASSIGN_OR_RETURN(auto tx, store::Transaction::Begin(db_));
    ASSIGN_OR_RETURN(Incident incident, Get(incident_id));
    ASSIGN_OR_RETURN(std::vector<Held> held, HeldBy(db_, incident_id));
    const bool unlifted = std::ranges::any_of(held, [](const Held& h) { return !h.lifted; });
    if (incident.released_at && !unlifted) {
      return Fail(ErrorCode::kConflict,
                  "incident " + std::to_string(incident_id) + " was already released");
    }
    // Security: finished in the mode it was released in. A reset decided
    // (credentials that may be known to an attacker erased) must not turn
    // into a reinstatement for the agents it had yet to lift.
    if (incident.release_mode && *incident.release_mode != mode) {
      return Fail(ErrorCode::kConflict, "incident " + std::to_string(incident_id) +
                                            " was released with mode \"" +
                                            std::string(ReleaseModeName(*incident.release_mode)) +
                                            "\": release it again with that mode to finish");
    }
    // Released once: a release cut short (a node stopped, the database lost
    // mid-way) is finished by releasing again, which lifts what is left.
    done.released_now = !incident.released_at;  // this attempt's, if it commits
    marked_as = incident;
    if (incident.released_at && !incident.release_mode) {
      // Released before the mode was recorded (migration 14): the first
      // release run again after it sets the mode the rest must use.
      ASSIGN_OR_RETURN(store::Statement * set_mode,
                       db_.Prepare("UPDATE incident SET release_mode = $2 WHERE id = $1 AND "
                                   "release_mode IS NULL"));
      set_mode->BindInt(1, incident_id).BindText(2, ReleaseModeName(mode));
      RETURN_IF_ERROR(set_mode->Run());
      marked_as.release_mode = mode;
    }
    if (!incident.released_at) {
      marked_as.released_at = UnixSeconds(clock_.Now());
      marked_as.released_by = std::string(by);
      marked_as.release_mode = mode;
      ASSIGN_OR_RETURN(store::Statement * release,
                       db_.Prepare("UPDATE incident SET released_at = $2, released_by = $3, "
                                   "release_mode = $4 WHERE id = $1"));
      release->BindInt(1, incident_id).BindInt(2, *marked_as.released_at).BindText(3, by);
      release->BindText(4, ReleaseModeName(mode));
      RETURN_IF_ERROR(release->Run());
      if (before_release) RETURN_IF_ERROR(before_release(incident));
    }
    return tx.Commit();
  });
  RETURN_IF_ERROR(marked);
  ASSIGN_OR_RETURN(std::vector<Held> held, HeldBy(db_, incident_id));
  internal::HoldLifter lifter(db_, clock_, identity_, sessions_);
  // One agent's failure does not leave the others held; it is logged and
  // reported (releasing again finishes).
  for (const Held& agent : held) {
    if (agent.lifted) continue;
    if (Result<void> lifted = lifter.Lift(incident_id, agent.agent_id, agent.service_number, mode,
                                          before_reset, before_reinstate, before_suspend, done);
        !lifted) {
      Log(LogLevel::kError, "incident_agent_not_released",
          {{"incident", incident_id},
           {"agent", agent.service_number},
           {"error", lifted.error().message()}});
      done.not_released.push_back(agent.service_number);
    }
  }
  // The release is committed and its agents lifted: a failed read now must
  // not report it refused (nor leave the lifted agents unaudited).
  if (Result<Incident> now = Get(incident_id); now) {
    done.incident = std::move(*now);
  } else {
    Log(LogLevel::kError, "incident_not_read_back",
        {{"incident", incident_id}, {"error", now.error().message()}});
    done.incident = std::move(marked_as);
    done.incident.unreleased_count = static_cast<int64_t>(done.not_released.size());
  }
  return done;
}

namespace {

// The incident's row with the count of its agents, and all of them by service
// number (`listed` 0) or the first `listed` by agent id.
Result<Incident> ReadWithAgents(store::Connection& db, int64_t incident_id, size_t listed) {
  // 0 is also what a node of the release before migration 11 leaves (an
  // incident opened during a rolling upgrade): counted then, at no cost
  // for an incident that holds nobody.
  static const std::string kSql =
      "SELECT " + std::string(kIncidentColumns) +
      ", CASE WHEN agent_count > 0 THEN agent_count ELSE (SELECT COUNT(*) FROM incident_agent "
      "WHERE incident_id = incident.id) END, CASE WHEN released_at IS NULL THEN 0 ELSE "
      "(SELECT COUNT(*) FROM incident_agent WHERE incident_id = incident.id AND lifted_at IS "
      "NULL) END FROM incident WHERE id = $1";
  ASSIGN_OR_RETURN(store::Statement * select, db.Prepare(kSql));
  select->BindInt(1, incident_id);
  ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) return Fail(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id));
  Incident incident = ReadIncident(*select);
  incident.agent_count = select->ColumnInt(kIncidentColumnCount);
  incident.unreleased_count = select->ColumnInt(kIncidentColumnCount + 1);
  RETURN_IF_ERROR(select->Run());
  ASSIGN_OR_RETURN(std::vector<Held> held,
                   listed == 0 ? HeldBy(db, incident_id) : HeldPage(db, incident_id, 0, listed));
  for (Held& agent : held) incident.agents.push_back(std::move(agent.service_number));
  return incident;
}

}  // namespace

Result<Incident> Containment::Get(int64_t incident_id) {
  return ReadWithAgents(db_, incident_id, 0);
}

Result<std::vector<HeldAgent>> Containment::HeldAgents(int64_t incident_id, int64_t after_agent_id,
                                                       size_t limit) {
  if (limit < 1 || limit > 1000) {
    return Fail(ErrorCode::kInvalidArgument, "a page holds 1 to 1000 agents");
  }
  {
    ASSIGN_OR_RETURN(store::Statement * exists,
                     db_.Prepare("SELECT 1 FROM incident WHERE id = $1"));
    exists->BindInt(1, incident_id);
    ASSIGN_OR_RETURN(bool found, exists->Step());
    RETURN_IF_ERROR(exists->Run());
    if (!found) return Fail(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id));
  }
  ASSIGN_OR_RETURN(std::vector<Held> held, HeldPage(db_, incident_id, after_agent_id, limit));
  std::vector<HeldAgent> page;
  page.reserve(held.size());
  for (Held& agent : held) {
    page.push_back({.agent_id = agent.agent_id,
                    .service_number = std::move(agent.service_number),
                    .lifted = agent.lifted});
  }
  return page;
}

Result<std::vector<Incident>> Containment::List(bool open_only) {
  // Open: not released, or released with holds yet to lift (they still bar
  // their agents: releasing again finishes).
  // Every open one, however many newer ones were opened since: one that
  // dropped off the list would still bar its agents, and the officer could
  // no longer find it to release it.
  static const std::string kSql =
      "SELECT id FROM incident WHERE released_at IS NULL OR EXISTS (SELECT 1 FROM "
      "incident_agent WHERE incident_id = incident.id AND lifted_at IS NULL) "
      "UNION SELECT id FROM (SELECT id FROM incident WHERE $1 = 0 ORDER BY id DESC LIMIT " +
      std::to_string(kListedIncidents) + ") AS newest ORDER BY id DESC LIMIT " +
      std::to_string(kListedIncidents + kMaxOpenListed);
  ASSIGN_OR_RETURN(store::Statement * select, db_.Prepare(kSql));
  select->BindInt(1, open_only ? 1 : 0);
  std::vector<int64_t> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    ids.push_back(select->ColumnInt(0));
  }
  std::vector<Incident> incidents;
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(Incident incident, ReadWithAgents(db_, id, kListedAgents));
    incidents.push_back(std::move(incident));
  }
  return incidents;
}

Result<void> KeepSuspendedAfterRelease(store::Connection& db, int64_t agent_id) {
  ASSIGN_OR_RETURN(store::Statement * keep,
                   db.Prepare("UPDATE incident_agent SET prior_status = 'suspended' WHERE "
                              "agent_id = $1 AND lifted_at IS NULL"));
  keep->BindInt(1, agent_id);
  RETURN_IF_ERROR(keep->Run());
  return {};
}

}  // namespace vigie::incident
