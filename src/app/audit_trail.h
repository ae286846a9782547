#pragma once
// AuditTrail: how the use cases write the audit log. It fills an AuditEvent
// from the Caller (agent, unit, session, token id hash, DPoP key, address,
// user agent), protects query terms (a keyed hash of the normalised surname
// for "who searched for this name", and the terms sealed under the
// "audit-terms" key - never in clear), and appends.
//
// Record waits until the event is durable: the caller returns nothing to the
// agent unless it succeeded (DESIGN invariant 1). RecordRefusal is for
// requests already refused: it tries, and logs when it cannot.
//
// Thread-safety: all methods may be called from several threads at once.
// Errors: Record returns Unavailable when the event could not be made durable.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "app/portal.h"
#include "audit/audit_log.h"
#include "core/confirmation.h"
#include "crypto/keyring.h"
#include "identity/login_throttle.h"
#include "records/search.h"

namespace vigie::app {

// The keyed hash of a surname as audit events store it: what an investigator
// computes to ask "who searched for this name". InvalidArgument when the
// name does not normalise.
Result<std::vector<uint8_t>> AuditSurnameHash(const crypto::DataKey& terms_key,
                                              std::string_view surname);

// Text from a client or an operator as it goes into the log: valid UTF-8
// without control characters (any other byte shown as '?'), cut at `limit`
// bytes on a character boundary.
std::string AuditText(std::string_view raw, size_t limit);

// A file opening's subject: the person id asked for, refused openings too
// (not found, quota, step-up), so a run of ids probed one by one can be read
// back. Not in person_ids, which name only what was shown.
std::string FileOpeningSubject(int64_t person_id);

// `event` once per part of `persons` (sorted, each once), each naming at
// most audit::kMaxAuditRecordIds of them, its subject followed by "persons
// named, part i of n"; none when `persons` is empty. For a read that names
// many persons at once: a claim check.
std::vector<audit::AuditEvent> EventsNamingPersons(const audit::AuditEvent& event,
                                                   std::vector<int64_t> persons);

// Derives the two audit-terms keys (hashing, sealing) from one data key.
class AuditTrail {
 public:
  using Started = std::chrono::steady_clock::time_point;

  AuditTrail(audit::AuditLog& log, const crypto::DataKey& terms_key, const Clock& clock);
  ~AuditTrail();  // wipes the keys derived from the terms key

  // An event of `type` acted by `caller`, dated now.
  audit::AuditEvent For(const Caller& caller, audit::AuditEventType type) const;
  // A search or file opening, with the reason the caller stated.
  audit::AuditEvent Consultation(const Caller& caller, audit::AuditEventType type,
                                 std::string_view purpose, std::string_view case_reference) const;
  // An administrative act on `subject` (a service number, a unit code).
  audit::AuditEvent Administration(const Caller& caller, audit::AuditEventType type,
                                   std::string_view subject) const;
  // An event before anyone is authenticated (activation, login steps).
  audit::AuditEvent Unauthenticated(audit::AuditEventType type, std::string_view service_number,
                                    const Origin& origin, std::string_view jkt = {}) const;

  // The query's terms, sealed. `scope` is whom the search could find once
  // allowed (none for a refused one): detection reads it, since a search
  // limited to wanted persons finds nobody for most names without being a miss.
  void AddQuery(audit::AuditEvent& event, const records::SearchQuery& query,
                std::optional<records::SearchScope> scope) const;
  // The name of `scope` in the sealed terms.
  static constexpr std::string_view kWantedTodayScope = "wanted_today";
  static constexpr std::string_view kEveryPersonScope = "every_person";

  Result<void> Record(audit::AuditEvent event, Started started);
  // As Record, for an event made durable inside the caller's transaction
  // (an act that must not exist unrecorded): waits for the event only, and
  // returns the observer's step unrun (empty without an observer). The
  // caller runs it once the transaction has ended: detection's response
  // writes, and would wait on the locks the transaction holds. A step
  // dropped unrun hands its event to `late`. While the log is known to be
  // failing, Unavailable at once: the transaction's locks are not held for
  // max_wait by every such act during an outage.
  Result<std::function<void()>> RecordBeforeCommit(audit::AuditEvent event, Started started);
  // Unavailable while the log is known to be failing (it recovers by
  // itself, probing), for acts to refuse before they start.
  Result<void> RequireWritable() const;
  // As Record, without blocking: the confirmation that the event is durable,
  // which whatever it protects must wait for (its deadline is the log's
  // max_wait). Confirmed, it carries the observer's call as the step to run
  // before release; refused, Unavailable.
  std::shared_ptr<Confirmation> RecordAsync(audit::AuditEvent event, Started started);
  // Many events at once for acts already committed (a containment's
  // suspensions), durable on return however long that takes: a deadline
  // would report a done act as failed and invite the officer to redo it.
  Result<void> RecordAll(std::vector<audit::AuditEvent> events);
  // The same, each event's latency counted from `started`.
  Result<void> RecordAll(std::vector<audit::AuditEvent> events, Started started);
  // Many events that must be durable before an answer leaves (the persons an
  // investigation names): Unavailable when they are not within max_wait.
  // Each reaches the observer, as Record's.
  Result<void> RecordAllBeforeAnswer(std::vector<audit::AuditEvent> events);
  // A refusal, recorded unless it names no agent and its address has sent
  // more than kAnonymousRefusalsPerMinute of those (kAnonymousRefusalsBurst
  // at once): a throttled login, an unknown challenge or refresh token cost
  // their sender nothing, and unbounded they would fill the disk under a log
  // that fails closed, stopping every consultation. Those beyond are
  // counted (refusals_not_recorded) and logged once a minute, not recorded.
  // A password the login did check has a budget of its own, the same size:
  // a flood of throttled attempts must not push a spray's real guesses out.
  void RecordRefusal(audit::AuditEvent event, const Error& error, Started started);
  // A refusal and the event it led to (a lock-out), queued together and
  // waited for once: the refusal that locks an account must take no longer
  // than another recorded one, or its time would tell an existing agent
  // apart. Both are recorded whatever the budget above (a lock comes once
  // per threshold).
  void RecordRefusalWith(audit::AuditEvent event, const Error& error, audit::AuditEvent consequence,
                         Started started);
  static constexpr int kAnonymousRefusalsBurst = 60;
  static constexpr int kAnonymousRefusalsPerMinute = 60;
  int64_t refusals_not_recorded() const { return refusals_not_recorded_.load(); }

  // The sealed terms back as JSON text (for an investigator's tools).
  Result<std::string> OpenTerms(std::span<const uint8_t> sealed) const;

  // Called with each event once it is in the log (with its sequence), on the
  // recording thread, before Record returns (RecordAsync: by the waiter of its
  // confirmation, before release; RecordBeforeCommit: by its caller, once
  // the transaction ended): detection. Set once, before use.
  // REQUIRES of the observer: for events Recorded inside a caller's
  // transaction (an incident's release), no database writes.
  // `late` is called instead for an event the log made durable only after
  // its confirmation's deadline (the caller was refused, yet the event is in
  // the log and must be judged all the same): on the log's writer thread, so
  // it must only hand the event on, quickly, without throwing.
  // A step its waiter drops unrun (the connection went away) hands its
  // event to `late` too: every event in the log reaches one of the two.
  // `durable`, if set, is called before either, on the writer thread, as
  // soon as the event is in the log (quick, no throw): detection counts it
  // as waiting to be judged from then on.
  // StopObserving disconnects `late` and `durable` (appends may settle after
  // the trail, and the observers, are gone): call it before the observers go.
  using Observer = std::function<void(const audit::AuditEvent&)>;
  void SetObserver(Observer observer, Observer late, Observer durable = nullptr);
  void StopObserving();

 private:
  audit::AuditLog& log_;
  const Clock& clock_;
  std::array<uint8_t, 32> hash_key_;
  std::array<uint8_t, 32> seal_key_;
  Observer observer_;
  identity::LoginThrottle anonymous_refusals_;  // per address, see RecordRefusal
  identity::LoginThrottle checked_passwords_;   // per address, likewise
  std::atomic<int64_t> refusals_not_recorded_{0};
  std::atomic<int64_t> refusals_not_recorded_logged_minute_{-1};
  // Shared with the appends still in flight, which may outlive the trail.
  struct LateObserver {
    std::mutex mutex;
    Observer observer;  // guarded by mutex; empty once disconnected
    Observer durable;   // guarded by mutex; empty once disconnected
    void Late(const audit::AuditEvent& event);
    void Durable(const audit::AuditEvent& event);
  };
  struct Handover;
  std::shared_ptr<LateObserver> late_ = std::make_shared<LateObserver>();
};

}  // namespace vigie::app
