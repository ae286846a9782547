#pragma once
// How the use cases record their outcome in the audit log, shared by the
// files that define Portal's members (internal to app).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "app/audit_trail.h"
#include "app/portal.h"
#include "audit/audit_event.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "identity/model.h"

namespace vigie::app::internal {

using audit::AuditEvent;
using audit::AuditEventType;

inline AuditTrail::Started Now() { return std::chrono::steady_clock::now(); }

// Records how a step ended: a refusal is recorded as such (and stays the
// answer); a success is recorded with what `describe` adds, and becomes
// Unavailable if its event cannot be made durable.
template <typename T, typename Describe>
Result<T> Audited(AuditTrail& trail, AuditEvent event, AuditTrail::Started started,
                  Result<T> outcome, Describe describe) {
  if (!outcome) {
    trail.RecordRefusal(std::move(event), outcome.error(), started);
    return outcome;
  }
  if constexpr (std::is_void_v<T>) {
    describe(event);
  } else {
    describe(event, *outcome);
  }
  RETURN_IF_ERROR(trail.Record(std::move(event), started));
  return outcome;
}

// As Audited, for a consultation's answer: returned at once, with the
// confirmation of its event it must wait for (Held).
template <typename T, typename Describe>
Result<Held<T>> AuditedHeld(AuditTrail& trail, AuditEvent event, AuditTrail::Started started,
                            Result<T> outcome, Describe describe) {
  if (!outcome) {
    trail.RecordRefusal(std::move(event), outcome.error(), started);
    return std::unexpected(outcome.error());
  }
  describe(event, *outcome);
  std::shared_ptr<Confirmation> durable = trail.RecordAsync(std::move(event), started);
  return Held<T>{.answer = std::move(*outcome), .durable = std::move(durable)};
}

// `confirmation`, keeping `kept` alive for as long as an answer waits on it:
// until the confirmation's step has run and the answer is released (or
// withheld).
template <typename Kept>
std::shared_ptr<Confirmation> KeepingAlive(std::shared_ptr<Confirmation> confirmation, Kept kept) {
  struct Both {
    std::shared_ptr<Confirmation> confirmation;
    Kept kept;
  };
  auto both = std::make_shared<Both>(Both{std::move(confirmation), std::move(kept)});
  Confirmation* held = both->confirmation.get();
  return std::shared_ptr<Confirmation>(std::move(both), held);
}

// A held answer once its event is durable, for callers that may block.
template <typename T>
Result<T> Released(Result<Held<T>> held) {
  if (!held) return std::unexpected(held.error());
  if (Result<void> durable = held->durable->Wait(); !durable) {
    if (held->withheld) held->withheld();
    return std::unexpected(durable.error());
  }
  return std::move(held->answer);
}

template <typename T>
Result<T> Audited(AuditTrail& trail, AuditEvent event, AuditTrail::Started started,
                  Result<T> outcome) {
  if constexpr (std::is_void_v<T>) {
    return Audited(trail, std::move(event), started, std::move(outcome), [](AuditEvent&) {});
  } else {
    return Audited(trail, std::move(event), started, std::move(outcome),
                   [](AuditEvent&, const T&) {});
  }
}

// An event made durable inside an act's transaction, and detection's
// judgement of it, run once the transaction has ended (a response writes,
// and would wait on the transaction's locks). Run or not, the event is
// judged: a judgement dropped unrun takes the late path.
class JudgedAfterCommit {
 public:
  explicit JudgedAfterCommit(AuditTrail& trail) : trail_(trail) {}
  JudgedAfterCommit(const JudgedAfterCommit&) = delete;
  JudgedAfterCommit& operator=(const JudgedAfterCommit&) = delete;

  // Inside the transaction, before its commit. A transaction retried on a
  // conflict records again (over-reporting): the earlier event's judgement
  // is dropped, to the late path, rather than run inside the retry.
  Result<void> Record(AuditEvent event, AuditTrail::Started started) {
    ASSIGN_OR_RETURN(judge_, trail_.RecordBeforeCommit(std::move(event), started));
    return {};
  }
  // Once the transaction has ended, committed or not.
  void Judge() {
    if (judge_) std::exchange(judge_, nullptr)();
  }

 private:
  AuditTrail& trail_;
  std::function<void()> judge_;
};

// For acts that must not exist unrecorded (a secret handed out, a factor
// added or removed): the event is made durable inside the act's
// transaction, before it commits, so a log that cannot be written refuses
// the act whole (503, nothing changed) instead of doing it unseen. `act`
// receives the hook to run before its commit; the hook `describe`s the event
// with the Subject it is given.
template <typename T, typename Subject, typename Describe, typename Act>
Result<T> AuditedBeforeCommit(AuditTrail& trail, AuditEvent event, AuditTrail::Started started,
                              Describe describe, Act act) {
  JudgedAfterCommit recorded(trail);
  Result<T> done = act([&](const Subject& subject) -> Result<void> {
    AuditEvent durable = event;
    describe(durable, subject);
    return recorded.Record(std::move(durable), started);
  });
  recorded.Judge();
  // A refusal is recorded too (after the event itself if the commit failed).
  if (!done) trail.RecordRefusal(std::move(event), done.error(), started);
  return done;
}

inline void DescribeAgent(AuditEvent& event, const identity::Agent& agent) {
  event.actor.agent_id = agent.id;
  event.actor.unit_id = agent.unit_id;
  event.actor.service_number = agent.service_number;
}

// Audited, then - when this failure locked an agent out - a lock-out event
// of its own, so investigators and detection rules see the lock itself. The
// extra event is built only when there was a lock.
template <typename T, typename... Describe>
Result<T> AuditedLockingOut(AuditTrail& trail, AuditEvent event, AuditTrail::Started started,
                            Result<T> outcome, std::optional<int64_t> locked,
                            Describe... describe) {
  std::optional<AuditEvent> lockout;
  if (locked) {
    lockout = event;
    lockout->type = AuditEventType::kLockout;
    lockout->actor.agent_id = *locked;
  }
  if (!outcome && lockout) {
    trail.RecordRefusalWith(std::move(event), outcome.error(), std::move(*lockout), started);
    return outcome;
  }
  Result<T> audited = Audited(trail, std::move(event), started, std::move(outcome), describe...);
  if (lockout) {
    if (auto recorded = trail.Record(std::move(*lockout), started); !recorded) {
      Log(LogLevel::kError, "audit_lockout_not_recorded", {{"error", recorded.error().message()}});
    }
  }
  return audited;
}

// What the audit log keeps of a token: its SHA-256, never the token.
inline std::vector<uint8_t> TokenIdHash(std::string_view token) {
  crypto::Sha256Digest digest = crypto::Sha256(token);
  return {digest.begin(), digest.end()};
}

// A login's second step that opened a session: which one, and its token.
inline void DescribeLogin(AuditEvent& event, const session::IssuedTokens& tokens) {
  event.session_id = tokens.session_id;
  event.token_id_hash = TokenIdHash(tokens.access_token.reveal());
}

}  // namespace vigie::app::internal
