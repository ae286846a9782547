#include "detect/detector.h"

#include <algorithm>

#include "core/log.h"

namespace vigie::detect {

using audit::AuditEvent;
using audit::AuditEventType;

namespace {

// An alert in the agent's past (raised before a restart, or by another
// node): its rule waits out the re-alert interval from then, not from now.
void NoteAlert(AgentActivity& activity, const AuditEvent& event) {
  if (event.type != AuditEventType::kAlertRaised) return;
  if (std::optional<Rule> rule = RuleOfAlertRaised(event.subject)) {
    activity.NoteEarlierAlert(*rule, event.time_unix_micros);
  }
}

}  // namespace

Detector::Detector(DetectOptions options, History history, Foreign foreign, LastSeen last_seen,
                   Pending pending, TermsOf terms_of)
    : options_(std::move(options)),
      history_(std::move(history)),
      foreign_(std::move(foreign)),
      last_seen_(std::move(last_seen)),
      pending_(std::move(pending)),
      terms_of_(std::move(terms_of)) {}

bool Detector::IsAgentActivity(AuditEventType type) {
  // Not activation: the account is new, with no habits to depart from; the
  // login that follows is judged.
  switch (type) {
    case AuditEventType::kLoginPasswordOk:
    case AuditEventType::kLoginSecondFactorOk:
    case AuditEventType::kLoginSecondFactorFailed:
    case AuditEventType::kRefresh:
    case AuditEventType::kRefreshReuse:
    case AuditEventType::kStepUp:
    case AuditEventType::kAuditSearch:  // an officer's investigations (named persons)
    case AuditEventType::kSearch:
    case AuditEventType::kFileOpening: return true;
    default: return false;
  }
}

bool Detector::IsSignOfLife(const AuditEvent& event) {
  return event.outcome == audit::AuditOutcome::kOk && IsAgentActivity(event.type);
}

bool Detector::IsActivation(const AuditEvent& event) {
  return event.outcome == audit::AuditOutcome::kOk && event.type == AuditEventType::kActivation;
}

std::vector<Finding> Detector::Observe(const AuditEvent& event, const SearchTerms* terms) {
  std::vector<Finding> findings;
  if (!options_.enabled) return findings;
  // Whoever meets a decoy - even the local operator - is reported.
  CheckCanaries(event, findings);
  if (event.actor.agent_id == 0 || !IsAgentActivity(event.type)) return findings;
  Shard& shard = shards_[static_cast<uint64_t>(event.actor.agent_id) % shards_.size()];
  std::lock_guard lock(shard.mutex);
  if (++shard.observed % 4096 == 0) ForgetIdle(shard, event.time_unix_micros);
  Known& known = ActivityOf(shard, event, findings);
  const bool caught_up = CatchUp(known, event);
  std::vector<Finding> fired = known.activity->Take(event, terms, options_, /*learning=*/false);
  // Not past a stretch that could not be read: the next catch-up reads it
  // (this event, judged here, is skipped then).
  if (caught_up) known.last_sequence = std::max(known.last_sequence, event.sequence);
  findings.insert(findings.end(), std::make_move_iterator(fired.begin()),
                  std::make_move_iterator(fired.end()));
  return findings;
}

Detector::Known& Detector::ActivityOf(Shard& shard, const AuditEvent& event,
                                      std::vector<Finding>& findings) {
  auto [it, inserted] = shard.agents.try_emplace(event.actor.agent_id);
  if (inserted) {
    it->second = Learn(event, std::nullopt, nullptr, findings);
  } else if (it->second.history_retry_at &&
             event.time_unix_micros >= *it->second.history_retry_at) {
    // The history holds what was judged meanwhile, without it: judged again,
    // with it (a dormant account's first events, from a new network...).
    Known learnt =
        Learn(event, it->second.judged_without_history_from, it->second.activity.get(), findings);
    if (learnt.history_retry_at) {
      it->second.history_retry_at = learnt.history_retry_at;
    } else {
      it->second = std::move(learnt);
    }
  }
  return it->second;
}

Detector::Known Detector::Learn(const AuditEvent& event, std::optional<uint64_t> judge_from,
                                const AgentActivity* judged_by,
                                std::vector<Finding>& findings) const {
  Known known;
  known.activity = std::make_unique<AgentActivity>();
  // Their alert_raised events may come after the events that fired them (or
  // not be written yet): what was fired is known here.
  if (judged_by) known.activity->NoteAlertsOf(*judged_by);
  // The history below reaches up to this event: nothing to catch up on.
  known.last_sequence = event.sequence == 0 ? 0 : event.sequence - 1;
  if (!history_) return known;
  // At most once a minute while the database fails.
  constexpr int64_t kRetryAfter = 60'000'000;
  auto unreadable = [&](const Error& error) {
    Log(LogLevel::kError, "detect_history_unreadable",
        {{"agent_id", std::to_string(event.actor.agent_id)}, {"error", error.message()}});
    known.history_retry_at = event.time_unix_micros + kRetryAfter;
    known.judged_without_history_from = judge_from.value_or(event.sequence);
  };
  // The baseline: the agent's own past, replayed through the same rules;
  // a little further back, only when they were last seen (dormancy).
  constexpr int64_t kDay = 86400'000'000;
  const int64_t baseline_since = event.time_unix_micros - options_.baseline_seconds * 1'000'000;
  const int64_t since = std::min(
      baseline_since, event.time_unix_micros - options_.dormant_seconds * 1'000'000 - kDay);
  auto past = history_(event.actor.agent_id, since, 0, event.sequence);
  if (!past) {
    unreadable(past.error());
    return known;
  }
  bool active = false;  // in the window read
  std::optional<int64_t> activated;
  uint64_t seen_before = event.sequence;  // the agent's last sign of life is before this one
  for (const AuditEvent& old : *past) {
    NoteAlert(*known.activity, old);
    if (IsActivation(old)) activated = old.time_unix_micros;
    if (!IsAgentActivity(old.type)) continue;
    // Security: a request of this node racing this one (a burst from a new
    // network) is judged live when its turn comes, not learnt as a habit.
    if (JudgedHere(old) && pending_ && pending_(old.sequence)) {
      seen_before = std::min(seen_before, old.sequence);
      continue;
    }
    // Only what succeeded is a sign of life (a refused attempt must not
    // hide a dormant account): refused events still feed the rates.
    const bool alive = IsSignOfLife(old);
    active = active || alive;
    if (old.time_unix_micros < baseline_since) {
      if (alive) known.activity->NoteEarlierActivity(old);
    } else if (judge_from && old.sequence >= *judge_from && JudgedHere(old)) {
      for (Finding& finding : TakeFromLog(*known.activity, old, /*learning=*/false)) {
        finding.earlier_event = old;
        findings.push_back(std::move(finding));
      }
    } else {
      TakeFromLog(*known.activity, old, /*learning=*/true);
    }
  }
  if (!active) {
    // Activity further back, else the activation (an account never used).
    std::optional<int64_t> seen_at;
    if (last_seen_) {
      auto seen = last_seen_(event.actor.agent_id, seen_before);
      if (!seen) {
        unreadable(seen.error());
      } else {
        seen_at = *seen;
      }
    }
    if (!seen_at) seen_at = activated;
    if (seen_at) known.activity->NoteEarlierActivity(*seen_at);
  }
  return known;
}

bool Detector::CatchUp(Known& known, const AuditEvent& event) {
  if (options_.shared_log_node.empty() || !history_ || event.sequence <= known.last_sequence + 1) {
    return true;
  }
  const int64_t agent = event.actor.agent_id;
  Result<std::vector<AuditEvent>> missed = std::vector<AuditEvent>{};
  auto foreign = foreign_ ? foreign_(agent, known.last_sequence, event.sequence)
                          : Result<std::optional<std::vector<AuditEvent>>>(std::nullopt);
  if (foreign && *foreign) {
    missed = std::move(**foreign);  // the other nodes' batches, read once for all agents
  } else {
    // Back in time by as much as the nodes' clocks may differ (30 s, see
    // docs/detection.md) and a little for their commit order: another node's
    // event stamped earlier than this node's last would otherwise be passed
    // over for good. The sequence bounds do the rest.
    constexpr int64_t kSlack = 35'000'000;
    const int64_t since =
        known.catch_up_from_us.value_or(known.activity->last_event_unix_micros()) - kSlack;
    missed = history_(agent, since, known.last_sequence + 1, event.sequence);
  }
  if (!missed) {
    Log(LogLevel::kError, "detect_catch_up_failed",
        {{"agent_id", std::to_string(agent)}, {"error", missed.error().message()}});
    if (!known.catch_up_from_us) known.catch_up_from_us = known.activity->last_event_unix_micros();
    return false;
  }
  known.catch_up_from_us.reset();
  for (const AuditEvent& other : *missed) {
    // This node's own events reach Observe directly (some may still be on
    // their way): only the other nodes' are learnt here. Their own node
    // judges them; here they count towards what comes next.
    if (other.sequence <= known.last_sequence || JudgedHere(other)) {
      continue;
    }
    NoteAlert(*known.activity, other);
    if (!IsAgentActivity(other.type)) continue;
    TakeFromLog(*known.activity, other, /*learning=*/true);
    known.last_sequence = other.sequence;
  }
  return true;
}

void Detector::ForgetIdle(Shard& shard, int64_t now_unix_micros) {
  constexpr int64_t kIdle = 86400'000'000;
  // Kept while their history is still to be read: forgotten, the events
  // judged without it would never be judged again.
  std::erase_if(shard.agents, [&](const auto& entry) {
    return !entry.second.history_retry_at &&
           entry.second.activity->last_event_unix_micros() < now_unix_micros - kIdle;
  });
}

std::vector<Finding> Detector::TakeFromLog(AgentActivity& activity, const AuditEvent& event,
                                           bool learning) const {
  std::optional<SearchTerms> terms;
  if (terms_of_ && event.type == AuditEventType::kSearch) terms = terms_of_(event);
  return activity.Take(event, terms ? &*terms : nullptr, options_, learning);
}

void Detector::CheckCanaries(const AuditEvent& event, std::vector<Finding>& findings) const {
  if (event.outcome != audit::AuditOutcome::kOk || options_.ActionFor(Rule::kCanary) == Action::kOff) {
    return;
  }
  if (event.type != AuditEventType::kSearch && event.type != AuditEventType::kFileOpening) return;
  std::shared_lock lock(canaries_mutex_);
  if (canaries_.empty()) return;
  for (int64_t person : event.person_ids) {
    if (!canaries_.contains(person)) continue;
    findings.push_back(Finding{
        .rule = Rule::kCanary,
        .severity = Severity::kCritical,
        .action = options_.ActionFor(Rule::kCanary),
        .detail = "decoy person " + std::to_string(person) +
                  (event.type == AuditEventType::kSearch ? " returned by a search"
                                                         : " opened in full")});
    return;
  }
}

void Detector::SetCanaries(const std::vector<int64_t>& person_ids) {
  std::unique_lock lock(canaries_mutex_);
  canaries_ = std::unordered_set<int64_t>(person_ids.begin(), person_ids.end());
}

}  // namespace vigie::detect
