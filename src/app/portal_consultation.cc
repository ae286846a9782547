// Portal's consultations: searching the records and opening a person's
// file, each decided by policy, counted against the agent's quota, and
// recorded in the audit log before its answer may be shown.

#include <algorithm>
#include <memory>

#include "app/audit_trail.h"
#include "app/internal/audited.h"
#include "app/portal.h"
#include "core/log.h"
#include "policy/purpose.h"
#include "records/record_repository.h"

namespace vigie::app {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using internal::AuditedHeld;
using internal::Now;
using internal::Released;

// The case reference as it was checked (trimmed), for the consultation's
// event: one inquiry's consultations are found under one spelling. As typed
// when it is refused: the refusal records what was sent.
std::string CaseReferenceForLog(const ConsultationInput& input) {
  if (!input.case_reference) return "";
  auto checked = policy::ValidateCaseReference(*input.case_reference);
  return checked ? *checked : *input.case_reference;
}

}  // namespace

Result<policy::Visibility> Portal::Decide(const Caller& caller, const ConsultationInput& input,
                                          policy::ConsultationKind kind, int64_t now,
                                          int64_t* retry_after_seconds) {
  ASSIGN_OR_RETURN(policy::Purpose purpose, policy::ParsePurpose(input.purpose));
  policy::ConsultationRequest request{.purpose = purpose};
  if (input.case_reference.has_value()) {
    ASSIGN_OR_RETURN(request.case_reference, policy::ValidateCaseReference(*input.case_reference));
  }
  ASSIGN_OR_RETURN(policy::Visibility visibility,
                   policy::DecideConsultation(caller.roles, request));
  if (caller.step_up_demanded) {
    return Fail(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
  }
  if (!caller.notice_acknowledged) {
    return Fail(ErrorCode::kPermissionDenied, std::string(kNoticeNotAcknowledged));
  }
  RETURN_IF_ERROR(quota_->Take(caller.agent_id, kind, now, retry_after_seconds));
  return visibility;
}

Result<policy::ConsultationsAtOnce::Slot> Portal::UnderWay(const Caller& caller,
                                                           int64_t* retry_after_seconds) {
  Result<policy::ConsultationsAtOnce::Slot> slot = at_once_->Take(caller.agent_id);
  if (!slot && retry_after_seconds != nullptr) *retry_after_seconds = 1;
  return slot;
}

std::function<void()> Portal::QuotaGiveBack(const Caller& caller, policy::ConsultationKind kind,
                                            int64_t taken_at) {
  return [quota = quota_.get(), agent_id = caller.agent_id, kind, taken_at] {
    if (Result<void> given = quota->GiveBack(agent_id, kind, taken_at); !given) {
      Log(LogLevel::kWarn, "quota_not_given_back",
          {{"agent_id", agent_id}, {"error", given.error().message()}});
    }
  };
}

template <typename Answer>
Result<Answer> Portal::Counted(const Caller& caller, policy::ConsultationKind kind,
                               int64_t taken_at, Result<Answer> answer) {
  // Security: only our own failures give the unit back. A refusal after the
  // records were read (a step-up reached by openings sent at once) comes
  // only for someone on file, where "no one" is a 404 that pays: refunded,
  // it would tell the two apart for free.
  if (!answer) {
    const ErrorCode code = answer.error().code();
    if (code == ErrorCode::kUnavailable || code == ErrorCode::kInternal ||
        code == ErrorCode::kDataLoss) {
      QuotaGiveBack(caller, kind, taken_at)();
    }
  }
  return answer;
}

Result<Held<SearchAnswer>> Portal::SearchHeld(const Caller& caller, const ConsultationInput& input,
                                              const records::SearchQuery& query,
                                              int64_t* retry_after_seconds) {
  const auto started = Now();
  const int64_t now = UnixSeconds(parts_.clock->Now());
  AuditEvent event = trail_->Consultation(caller, AuditEventType::kSearch, input.purpose,
                                          CaseReferenceForLog(input));
  Result<policy::ConsultationsAtOnce::Slot> under_way = UnderWay(caller, retry_after_seconds);
  Result<SearchAnswer> searched =
      under_way ? SearchRecords(caller, input, query, now, retry_after_seconds)
                : Result<SearchAnswer>(std::unexpected(under_way.error()));
  trail_->AddQuery(
      event, query,
      searched ? std::optional(policy::SearchScopeFor(searched->visibility)) : std::nullopt);
  ASSIGN_OR_RETURN(
      Held<SearchAnswer> held,
      AuditedHeld(*trail_, std::move(event), started, std::move(searched),
                  [](AuditEvent& e, const SearchAnswer& answer) {
                    for (const records::PersonSummary& summary : answer.result.summaries) {
                      e.person_ids.push_back(summary.person_id);
                    }
                  }));
  held.withheld = QuotaGiveBack(caller, policy::ConsultationKind::kSearch, now);
  held.durable = internal::KeepingAlive(std::move(held.durable), std::move(*under_way));
  return held;
}

Result<SearchAnswer> Portal::Search(const Caller& caller, const ConsultationInput& input,
                                    const records::SearchQuery& query,
                                    int64_t* retry_after_seconds) {
  return Released(SearchHeld(caller, input, query, retry_after_seconds));
}

Result<SearchAnswer> Portal::SearchRecords(const Caller& caller, const ConsultationInput& input,
                                           const records::SearchQuery& query, int64_t now,
                                           int64_t* retry_after_seconds) {
  if (parts_.search == nullptr) return Fail(ErrorCode::kUnavailable, "search index not loaded");
  // A malformed query is refused before it costs quota.
  RETURN_IF_ERROR(records::ValidateQuery(query));
  RETURN_IF_ERROR(trail_->RequireWritable());
  ASSIGN_OR_RETURN(
      policy::Visibility visibility,
      Decide(caller, input, policy::ConsultationKind::kSearch, now, retry_after_seconds));
  return Counted(caller, policy::ConsultationKind::kSearch, now, FindRecords(query, visibility));
}

Result<SearchAnswer> Portal::FindRecords(const records::SearchQuery& query,
                                         const policy::Visibility& visibility) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  ASSIGN_OR_RETURN(auto repository, records::RecordRepository::Create(*db, *parts_.keyring));
  ASSIGN_OR_RETURN(records::SearchResult result,
                   parts_.search->Current()->Search(query, repository, *parts_.clock,
                                                    parts_.config->search.max_results,
                                                    policy::SearchScopeFor(visibility)));
  policy::MinimiseSearchResult(visibility, result);
  return SearchAnswer{.result = std::move(result), .visibility = visibility};
}

Result<Held<FileAnswer>> Portal::OpenPersonFileHeld(const Caller& caller,
                                                    const ConsultationInput& input,
                                                    int64_t person_id,
                                                    int64_t* retry_after_seconds) {
  const auto started = Now();
  const int64_t now = UnixSeconds(parts_.clock->Now());
  AuditEvent event = trail_->Consultation(caller, AuditEventType::kFileOpening, input.purpose,
                                          CaseReferenceForLog(input));
  event.subject = FileOpeningSubject(person_id);
  Result<policy::ConsultationsAtOnce::Slot> under_way = UnderWay(caller, retry_after_seconds);
  Result<FileAnswer> opened = under_way
                                  ? OpenFile(caller, input, person_id, now, retry_after_seconds)
                                  : Result<FileAnswer>(std::unexpected(under_way.error()));
  ASSIGN_OR_RETURN(Held<FileAnswer> held,
                   AuditedHeld(*trail_, std::move(event), started, std::move(opened),
                               [](AuditEvent& e, const FileAnswer& answer) {
                                 e.person_ids.push_back(answer.file.person.id);
                                 for (const records::WantedNotice& notice : answer.file.notices) {
                                   e.notice_ids.push_back(notice.id);
                                 }
                                 for (const records::RecordEntry& entry : answer.file.entries) {
                                   e.entry_ids.push_back(entry.id);
                                 }
                               }));
  held.withheld = QuotaGiveBack(caller, policy::ConsultationKind::kFileOpening, now);
  held.durable = internal::KeepingAlive(std::move(held.durable), std::move(*under_way));
  return held;
}

Result<FileAnswer> Portal::OpenPersonFile(const Caller& caller, const ConsultationInput& input,
                                          int64_t person_id, int64_t* retry_after_seconds) {
  return Released(OpenPersonFileHeld(caller, input, person_id, retry_after_seconds));
}

Result<FileAnswer> Portal::OpenFile(const Caller& caller, const ConsultationInput& input,
                                    int64_t person_id, int64_t now, int64_t* retry_after_seconds) {
  if (person_id <= 0) return Fail(ErrorCode::kInvalidArgument, "person id must be positive");
  // Security: while the log is known to be failing, refused before anything
  // is read. Held, then refused, an answer found would be a 503 where an
  // unknown id is a 404: an oracle on who is on file during an outage.
  RETURN_IF_ERROR(trail_->RequireWritable());
  {
    // Checked first so a refused opening spends no quota, and again as the
    // opening is counted: openings sent at once all pass the first check.
    // Its connection is given back before the quota takes one: every
    // worker holding one while waiting for a second would starve the pool.
    ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
    session::StepUpTracker step_up(*db, *parts_.clock, session_options_.step_up);
    ASSIGN_OR_RETURN(bool step_up_required, step_up.StepUpRequired(caller.session_id));
    if (step_up_required) return Fail(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
  }
  ASSIGN_OR_RETURN(
      policy::Visibility visibility,
      Decide(caller, input, policy::ConsultationKind::kFileOpening, now, retry_after_seconds));
  return Counted(caller, policy::ConsultationKind::kFileOpening, now,
                 ReadFile(caller, person_id, visibility));
}

Result<FileAnswer> Portal::ReadFile(const Caller& caller, int64_t person_id,
                                    const policy::Visibility& visibility) {
  ASSIGN_OR_RETURN(auto db, parts_.pool->Borrow());
  session::StepUpTracker step_up(*db, *parts_.clock, session_options_.step_up);
  ASSIGN_OR_RETURN(auto repository, records::RecordRepository::Create(*db, *parts_.keyring));
  const records::PartialDate today = records::DateOf(parts_.clock->Now());
  records::PersonFile file;
  if (visibility.criminal_records) {
    ASSIGN_OR_RETURN(file, records::OpenPersonFile(repository, person_id));
  } else {
    // Security: the notices first, by person id. Someone on file but not
    // wanted then costs what an unknown id does (one query finding nothing
    // in force), and the 404 does not tell them apart by its time either.
    // The entries, which this consultation may not see, are not read. One
    // snapshot, as records::OpenPersonFile.
    ASSIGN_OR_RETURN(store::Transaction read, repository.BeginRead());
    ASSIGN_OR_RETURN(file.notices, repository.WantedNoticesOf(person_id));
    if (std::ranges::none_of(file.notices, [&](const records::WantedNotice& notice) {
          return records::NoticeInForce(notice, today);
        })) {
      return Fail(ErrorCode::kNotFound, "no person " + std::to_string(person_id));
    }
    ASSIGN_OR_RETURN(file.person, repository.GetPerson(person_id));
    RETURN_IF_ERROR(read.Commit());
  }
  RETURN_IF_ERROR(policy::MinimisePersonFile(visibility, today, file));
  ASSIGN_OR_RETURN(bool counted, step_up.RecordFileOpening(caller.session_id));
  if (!counted) return Fail(ErrorCode::kPermissionDenied, std::string(kStepUpRequired));
  return FileAnswer{.file = std::move(file), .visibility = visibility};
}

}  // namespace vigie::app
