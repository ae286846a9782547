#include "app/audit_trail.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "audit/audit_event_codec.h"
#include "core/log.h"
#include "core/utf8.h"
#include "crypto/aead.h"
#include "crypto/keyed_hash.h"
#include "crypto/secret_bytes.h"
#include "records/name_normaliser.h"

namespace vigie::app {
namespace {

constexpr std::string_view kTermsAssociatedData = "vigie.audit.terms.v1";

}  // namespace

// Requests can carry longer text than the event format holds; the log keeps
// what fits rather than refusing the consultation. Client text (user agent,
// service number typed at login, ids from a request's path) is made valid
// UTF-8 without control or bidirectional formatting characters, so exports
// stay valid, a SIEM never receives forged line breaks, and a listing reads
// as stored.
std::string AuditText(std::string_view raw, size_t limit) { return DisplaySafe(raw, limit); }

std::string FileOpeningSubject(int64_t person_id) { return "person " + std::to_string(person_id); }

std::vector<audit::AuditEvent> EventsNamingPersons(const audit::AuditEvent& event,
                                                   std::vector<int64_t> persons) {
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
  const size_t per_event = audit::kMaxAuditRecordIds;
  const size_t parts = (persons.size() + per_event - 1) / per_event;
  std::vector<audit::AuditEvent> events;
  for (size_t part = 0; part < parts; ++part) {
    audit::AuditEvent named = event;
    const std::string suffix =
        ": persons named, part " + std::to_string(part + 1) + " of " + std::to_string(parts);
    named.subject = AuditText(event.subject, audit::kMaxAuditShortText - suffix.size()) + suffix;
    const auto from = persons.begin() + static_cast<ptrdiff_t>(part * per_event);
    named.person_ids.assign(from, from + static_cast<ptrdiff_t>(std::min(
                                             per_event, persons.size() - part * per_event)));
    events.push_back(std::move(named));
  }
  return events;
}

namespace {

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::array<uint8_t, 32> HashKey(const crypto::DataKey& terms_key) {
  return crypto::KeyedBlake2b(terms_key.bytes(), "vigie.audit.terms.hash");
}

Result<std::vector<uint8_t>> SurnameHashWith(std::span<const uint8_t, 32> hash_key,
                                             std::string_view surname) {
  ASSIGN_OR_RETURN(std::string normalised, records::NormaliseName(surname));
  auto digest = crypto::KeyedBlake2b(hash_key, normalised);
  return std::vector<uint8_t>(digest.begin(), digest.end());
}

}  // namespace

Result<std::vector<uint8_t>> AuditSurnameHash(const crypto::DataKey& terms_key,
                                              std::string_view surname) {
  std::array<uint8_t, 32> hash_key = HashKey(terms_key);
  auto hash = SurnameHashWith(hash_key, surname);
  crypto::WipeBytes(hash_key);
  return hash;
}

namespace {

identity::LoginThrottleOptions AnonymousRefusalBudget() {
  return {.burst = AuditTrail::kAnonymousRefusalsBurst,
          .refill_interval =
              std::chrono::milliseconds(60'000 / AuditTrail::kAnonymousRefusalsPerMinute)};
}

}  // namespace

AuditTrail::AuditTrail(audit::AuditLog& log, const crypto::DataKey& terms_key, const Clock& clock)
    : log_(log),
      clock_(clock),
      hash_key_(HashKey(terms_key)),
      seal_key_(crypto::KeyedBlake2b(terms_key.bytes(), "vigie.audit.terms.seal")),
      anonymous_refusals_(clock, AnonymousRefusalBudget()),
      checked_passwords_(clock, AnonymousRefusalBudget()) {}

AuditTrail::~AuditTrail() {
  crypto::WipeBytes(hash_key_);
  crypto::WipeBytes(seal_key_);
}

audit::AuditEvent AuditTrail::For(const Caller& caller, audit::AuditEventType type) const {
  audit::AuditEvent event;
  event.time_unix_micros = UnixMicros(clock_.Now());
  event.type = type;
  event.actor = {.agent_id = caller.agent_id,
                 .service_number = AuditText(caller.service_number, audit::kMaxAuditShortText),
                 .unit_id = caller.unit_id};
  event.session_id = caller.session_id;
  event.token_id_hash = caller.token_id_hash;
  event.dpop_jkt = AuditText(caller.jkt, audit::kMaxAuditShortText);
  event.source_address = AuditText(caller.source_address, audit::kMaxAuditShortText);
  event.user_agent = AuditText(caller.user_agent, audit::kMaxAuditText);
  return event;
}

audit::AuditEvent AuditTrail::Consultation(const Caller& caller, audit::AuditEventType type,
                                           std::string_view purpose,
                                           std::string_view case_reference) const {
  audit::AuditEvent event = For(caller, type);
  event.purpose = AuditText(purpose, audit::kMaxAuditText);
  event.case_reference = AuditText(case_reference, audit::kMaxAuditText);
  return event;
}

audit::AuditEvent AuditTrail::Administration(const Caller& caller, audit::AuditEventType type,
                                             std::string_view subject) const {
  audit::AuditEvent event = For(caller, type);
  event.subject = AuditText(subject, audit::kMaxAuditShortText);
  return event;
}

audit::AuditEvent AuditTrail::Unauthenticated(audit::AuditEventType type,
                                              std::string_view service_number,
                                              const Origin& origin,
                                              std::string_view jkt) const {
  Caller nobody;
  nobody.jkt = std::string(jkt);
  nobody.service_number = std::string(service_number);
  nobody.source_address = std::string(origin.address);
  nobody.user_agent = std::string(origin.user_agent);
  return For(nobody, type);
}

void AuditTrail::AddQuery(audit::AuditEvent& event, const records::SearchQuery& query,
                          std::optional<records::SearchScope> scope) const {
  if (auto hash = SurnameHashWith(hash_key_, query.surname)) {
    event.query.terms_keyed_hash = std::move(*hash);
  }
  boost::json::object terms;
  // Escaped for JSON a name may double; two of them, the birth date, the
  // scope and the seal's nonce and tag stay within kMaxAuditSealedTerms.
  constexpr size_t kNameBytes = 980;
  terms["surname"] = AuditText(query.surname, kNameBytes);
  if (records::AsksGivenName(query.given_name))
    terms["given_name"] = AuditText(query.given_name, kNameBytes);
  if (std::string birth = records::FormatPartialDate(query.birth_date); !birth.empty()) {
    terms["birth_date"] = birth;
  }
  if (scope) {
    terms["scope"] =
        *scope == records::SearchScope::kWantedToday ? kWantedTodayScope : kEveryPersonScope;
  }
  std::string text = boost::json::serialize(terms);
  event.query.sealed_terms = crypto::Seal(seal_key_, AsBytes(text), AsBytes(kTermsAssociatedData));
}

Result<std::string> AuditTrail::OpenTerms(std::span<const uint8_t> sealed) const {
  ASSIGN_OR_RETURN(std::vector<uint8_t> text,
                   crypto::Open(seal_key_, sealed, AsBytes(kTermsAssociatedData)));
  return std::string(text.begin(), text.end());
}

namespace {

void StampLatency(audit::AuditEvent& event, AuditTrail::Started started) {
  event.latency_micros =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - started)
                                .count());
}

// Every failure to append refuses the consultation the same way.
Error AsUnavailable(const Error& error) {
  if (error.code() == ErrorCode::kUnavailable) return error;
  // An event the format cannot hold is a bug here, but the rule is the same.
  return Error(ErrorCode::kUnavailable, "the audit event could not be written: " + error.message());
}

}  // namespace

// One way of recording: the blocking caller waits for the same confirmation
// (and so runs the observer on its own thread, before returning).
Result<void> AuditTrail::Record(audit::AuditEvent event, Started started) {
  return RecordAsync(std::move(event), started)->Wait();
}

Result<void> AuditTrail::RequireWritable() const {
  if (log_.stats().failing) {
    return Fail(ErrorCode::kUnavailable, "the audit log is failing: nothing can be recorded");
  }
  return {};
}

Result<std::function<void()>> AuditTrail::RecordBeforeCommit(audit::AuditEvent event,
                                                             Started started) {
  // The caller holds its transaction's locks while it waits: with the log
  // known to be failing, it is refused at once rather than after max_wait.
  RETURN_IF_ERROR(RequireWritable());
  std::function<void()> step;
  RETURN_IF_ERROR(RecordAsync(std::move(event), started)->WaitKeepingStep(step));
  return step;
}

// An event for detection, handed over once: by the waiter's step, or else
// on the late path (the answer came too late, or the step was dropped unrun).
struct AuditTrail::Handover {
  Handover(audit::AuditEvent e, std::shared_ptr<LateObserver> l)
      : event(std::move(e)), late(std::move(l)) {}
  Handover(const Handover&) = delete;
  Handover& operator=(const Handover&) = delete;
  ~Handover() {
    if (!taken) late->Late(event);
  }

  audit::AuditEvent event;
  std::shared_ptr<LateObserver> late;
  bool taken = false;
};

void AuditTrail::LateObserver::Late(const audit::AuditEvent& event) {
  std::lock_guard lock(mutex);
  if (observer) observer(event);
}

void AuditTrail::LateObserver::Durable(const audit::AuditEvent& event) {
  std::lock_guard lock(mutex);
  if (durable) durable(event);
}

std::shared_ptr<Confirmation> AuditTrail::RecordAsync(audit::AuditEvent event, Started started) {
  StampLatency(event, started);
  auto confirmation =
      std::make_shared<Confirmation>(std::chrono::steady_clock::now() + log_.max_wait());
  std::shared_ptr<Handover> handover;
  if (observer_) handover = std::make_shared<Handover>(event, late_);
  // Runs on the writer thread: it only answers; the observer runs later, on
  // the waiter's thread, before the answer is released. It may run after
  // the trail is gone (a late answer at shutdown): only the step, run by a
  // waiter the trail outlives, touches the trail.
  log_.AppendThen(std::move(event), [this, confirmation, handover = std::move(handover)](
                                        Result<uint64_t> appended) mutable {
    if (!appended) {
      if (handover) handover->taken = true;  // not in the log: nothing to judge
      confirmation->Refuse(AsUnavailable(appended.error()));
      return true;
    }
    if (handover) {
      handover->event.sequence = *appended;
      handover->late->Durable(handover->event);
    }
    const bool in_time = handover ? confirmation->Confirm([this, handover] {
      handover->taken = true;
      observer_(handover->event);
    })
                                  : confirmation->Confirm();
    if (in_time) return true;
    const uint64_t sequence = *appended;
    // Too late for the request, which was refused; the event is in the log,
    // and reads as a consultation that returned its persons: named for
    // whoever must tell such events apart (a breach report counts them).
    // Detection still judges it: the handover, released, takes the late path.
    Log(LogLevel::kWarn, "audit_event_durable_after_refusal",
        {{"sequence", static_cast<unsigned long long>(sequence)}});
    return false;
  });
  return confirmation;
}

void AuditTrail::SetObserver(Observer observer, Observer late, Observer durable) {
  observer_ = std::move(observer);
  std::lock_guard lock(late_->mutex);
  late_->observer = std::move(late);
  late_->durable = std::move(durable);
}

void AuditTrail::StopObserving() {
  std::lock_guard lock(late_->mutex);
  late_->observer = nullptr;
  late_->durable = nullptr;
}

namespace {

Result<void> AllAppended(const Result<uint64_t>& appended) {
  if (!appended) {
    return Fail(ErrorCode::kUnavailable,
                "the audit events could not be written: " + appended.error().message());
  }
  return {};
}

}  // namespace

Result<void> AuditTrail::RecordAll(std::vector<audit::AuditEvent> events) {
  if (events.empty()) return {};
  return AllAppended(log_.AppendAll(std::move(events)));
}

Result<void> AuditTrail::RecordAll(std::vector<audit::AuditEvent> events, Started started) {
  for (audit::AuditEvent& event : events) StampLatency(event, started);
  return RecordAll(std::move(events));
}

Result<void> AuditTrail::RecordAllBeforeAnswer(std::vector<audit::AuditEvent> events) {
  // Someone is being answered: refused within max_wait, never hanging. One
  // confirmation each, so that detection judges each event with its sequence
  // (the persons an investigation names count against the officer, as a
  // search's against an agent); the log's group commit gathers them.
  const Started started = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<Confirmation>> confirmations;
  confirmations.reserve(events.size());
  for (audit::AuditEvent& event : events) {
    confirmations.push_back(RecordAsync(std::move(event), started));
  }
  // Every one waited for: a confirmation no one waits on would never run
  // its detection step, though its event may be in the log.
  Result<void> outcome;
  for (const std::shared_ptr<Confirmation>& confirmation : confirmations) {
    Result<void> waited = confirmation->Wait();
    if (!waited && outcome) outcome = std::unexpected(waited.error());
  }
  return outcome;
}

void AuditTrail::RecordRefusal(audit::AuditEvent event, const Error& error, Started started) {
  // A password the login did check has its own budget: a flood of
  // throttled attempts (which cost nothing) must not spend it.
  const bool checked_password = event.type == audit::AuditEventType::kLoginPasswordFailed &&
                                error.code() != ErrorCode::kResourceExhausted;
  identity::LoginThrottle& budget = checked_password ? checked_passwords_ : anonymous_refusals_;
  if (event.actor.agent_id == 0 && event.source_address != "local" &&
      !budget.Admit(event.source_address).admitted) {
    const int64_t not_recorded = ++refusals_not_recorded_;
    const int64_t minute = UnixSeconds(clock_.Now()) / 60;
    if (refusals_not_recorded_logged_minute_.exchange(minute) != minute) {
      Log(LogLevel::kWarn, "audit_anonymous_refusals_not_recorded",
          {{"address", event.source_address},
           {"type", audit::AuditEventTypeName(event.type)},
           {"not_recorded_total", std::to_string(not_recorded)}});
    }
    return;
  }
  event.outcome = audit::AuditOutcome::kRefused;
  event.refusal_code = std::string(ErrorCodeName(error.code()));
  if (auto recorded = Record(std::move(event), started); !recorded) {
    Log(LogLevel::kError, "audit_refusal_not_recorded",
        {{"refusal", ErrorCodeName(error.code())}, {"error", recorded.error().message()}});
  }
}

void AuditTrail::RecordRefusalWith(audit::AuditEvent event, const Error& error,
                                   audit::AuditEvent consequence, Started started) {
  event.outcome = audit::AuditOutcome::kRefused;
  event.refusal_code = std::string(ErrorCodeName(error.code()));
  // Both queued before either is waited for: the log's group commit makes
  // them durable together, one wait's time.
  const std::array<std::string_view, 2> types = {audit::AuditEventTypeName(event.type),
                                                 audit::AuditEventTypeName(consequence.type)};
  const std::array<std::shared_ptr<Confirmation>, 2> confirmations = {
      RecordAsync(std::move(event), started), RecordAsync(std::move(consequence), started)};
  for (size_t i = 0; i < confirmations.size(); ++i) {
    if (Result<void> waited = confirmations[i]->Wait(); !waited) {
      Log(LogLevel::kError, "audit_refusal_not_recorded",
          {{"type", types[i]},
           {"refusal", ErrorCodeName(error.code())},
           {"error", waited.error().message()}});
    }
  }
}

}  // namespace vigie::app
