#pragma once
// Detector: the rules of detection_rules.h run over the audit stream. Each
// event is handed over once it is in the log; the detector judges it against
// what it knows of the agent (AgentActivity), first learning the agent's
// history from the log when it meets them, and says which rules fired and
// what each asks for. Acting on that (alerts, step-up, suspension) is the
// caller's: the detector itself changes nothing.
//
// Canary persons (decoys planted among the records) fire whoever meets them,
// every time.
//
// Thread-safety: Observe and SetCanaries may be called from any thread; an
// agent's events are judged one at a time (agents are spread over shards).
// Errors: none; a history that cannot be read is logged and the agent is
// judged on what is seen from then on.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "audit/audit_event.h"
#include "core/error.h"
#include "detect/agent_activity.h"
#include "detect/detection_rules.h"

namespace vigie::detect {

class Detector {
 public:
  // The agent's events with after_sequence <= sequence < before_sequence
  // and time >= since.
  using History = std::function<Result<std::vector<audit::AuditEvent>>(
      int64_t agent_id, int64_t since_unix_micros, uint64_t after_sequence,
      uint64_t before_sequence)>;

  // The agent's events other nodes appended with after < sequence < before,
  // when known without reading the agent's history (AuditLog::ForeignEventsOf);
  // nullopt or an error: History is read instead. Null: History always.
  using Foreign = std::function<Result<std::optional<std::vector<audit::AuditEvent>>>(
      int64_t agent_id, uint64_t after, uint64_t before)>;

  // When the agent last acted (their newest activity event, else their
  // newest activation) before `before_sequence`, or nullopt if never. Asked
  // on first sight only when
  // the history read back to the dormancy horizon holds no activity: a
  // dormant account's last sign of life lies before it. Null: not asked.
  using LastSeen = std::function<Result<std::optional<int64_t>>(int64_t agent_id,
                                                                uint64_t before_sequence)>;

  // Whether this node recorded the event numbered `sequence` and has yet to
  // hand it to Observe (its request waits for the agent's shard). Learning
  // the agent's history passes such an event over: Observe judges it next,
  // rather than find its network or key already known. Null: none.
  using Pending = std::function<bool(uint64_t sequence)>;

  // A search event's terms (sealed in the log) for the sweep rules, when the
  // history is replayed; null or nullopt: the search is taken without them.
  using TermsOf = std::function<std::optional<SearchTerms>(const audit::AuditEvent& search)>;

  Detector(DetectOptions options, History history, Foreign foreign = nullptr,
           LastSeen last_seen = nullptr, Pending pending = nullptr, TermsOf terms_of = nullptr);

  // Whether events of this type are an agent's own activity (logins,
  // refreshes, step-ups, consultations) - what the rules judge. Events
  // recorded inside another transaction (activation, administration) are not.
  static bool IsAgentActivity(audit::AuditEventType type);
  // Whether `event` shows the agent alive, for the dormant rule: their own
  // activity that succeeded.
  static bool IsSignOfLife(const audit::AuditEvent& event);
  // A successful activation: the sign of life of an account never used
  // since (as dormant as one used once, long ago) - only then, so a reset
  // code intercepted for a long-idle account does not hide its waking.
  static bool IsActivation(const audit::AuditEvent& event);

  // The rules `event` (as stored, with its sequence) fires; `terms` for a
  // search. Empty when detection is disabled.
  std::vector<Finding> Observe(const audit::AuditEvent& event, const SearchTerms* terms);

  void SetCanaries(const std::vector<int64_t>& person_ids);
  const DetectOptions& options() const { return options_; }

 private:
  struct Known {
    std::unique_ptr<AgentActivity> activity;
    uint64_t last_sequence = 0;  // of the last event taken (shared logs)
    // The history could not be read (the agent is judged from what comes
    // meanwhile): read again from this event time on, rather than leave the
    // agent without a baseline until forgotten idle.
    std::optional<int64_t> history_retry_at;
    std::optional<uint64_t> judged_without_history_from;  // the first event's sequence
    // A catch-up failed: the time the next one reads from (this node's
    // events taken since moved the activity's last event past the stretch).
    std::optional<int64_t> catch_up_from_us;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<int64_t, Known> agents;
    uint64_t observed = 0;  // events judged, to sweep idle agents now and then
  };
  // Forgets agents idle for a day (their history is read again if they come
  // back), so memory follows the agents at work, not every agent ever seen.
  static void ForgetIdle(Shard& shard, int64_t now_unix_micros);
  // The agent's activity, learnt on first sight; `findings` gets what the
  // events judged without their history fire once it can be read.
  Known& ActivityOf(Shard& shard, const audit::AuditEvent& event, std::vector<Finding>& findings);
  // An activity learnt from the agent's history up to `event`; this node's
  // events from sequence `judge_from` on, judged without it by `judged_by`,
  // are judged again (into `findings`) - but what `judged_by` fired then
  // does not fire twice.
  Known Learn(const audit::AuditEvent& event, std::optional<uint64_t> judge_from,
              const AgentActivity* judged_by, std::vector<Finding>& findings) const;
  // Whether this node judged `event` when it was recorded (on a shared log,
  // each node judges its own events).
  bool JudgedHere(const audit::AuditEvent& event) const {
    return options_.shared_log_node.empty() || event.node_id == options_.shared_log_node;
  }
  // Learns the agent's events other nodes wrote before `event` (shared logs).
  // False when they could not be read: the next event's catch-up reads
  // them again, from where this one started.
  bool CatchUp(Known& known, const audit::AuditEvent& event);
  void CheckCanaries(const audit::AuditEvent& event, std::vector<Finding>& findings) const;
  // Takes an event read from the log, with its terms if it is a search.
  std::vector<Finding> TakeFromLog(AgentActivity& activity, const audit::AuditEvent& event,
                                   bool learning) const;

  const DetectOptions options_;
  const History history_;
  const Foreign foreign_;
  const LastSeen last_seen_;
  const Pending pending_;
  const TermsOf terms_of_;
  std::array<Shard, 64> shards_;
  mutable std::shared_mutex canaries_mutex_;
  std::unordered_set<int64_t> canaries_;
};

}  // namespace vigie::detect
