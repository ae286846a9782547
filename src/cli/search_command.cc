// `vigie search` and `vigie show`: consultations by the local operator,
// audited like the API's (DESIGN invariant 1): nothing is printed unless the
// event naming what is shown is durable.

#include <cstdio>
#include <optional>

#include "app/audit_trail.h"
#include "cli/admin_portal.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/progress.h"
#include "cli/render.h"
#include "policy/consultation_policy.h"
#include "records/records.h"

namespace vigie::cli {
namespace {

// The local operator's consultation of `type`: its event, recorded through
// the portal's trail so that detection judges it as the API's (a decoy met
// from the command line raises its alert too).
audit::AuditEvent OperatorEvent(const app::AuditTrail& trail, audit::AuditEventType type,
                                const ConsultationOptions& consultation) {
  return trail.Consultation(app::LocalOperator(), type, consultation.purpose,
                            consultation.case_reference);
}

// What the operator's consultation may show. Without a purpose of the fixed
// list, everything, logged under kOperatorPurpose. With one, what an
// investigator's consultation would show under it: a street check sees
// wanted persons only, an inquiry needs a case reference - so that the log,
// and a breach report read from it, say what was shown. Bad input changes
// nothing: checked before anything is read.
Result<policy::Visibility> OperatorVisibility(ConsultationOptions& consultation) {
  policy::ConsultationRequest request;
  if (!consultation.case_reference.empty()) {
    ASSIGN_OR_RETURN(request.case_reference,
                     policy::ValidateCaseReference(consultation.case_reference));
    consultation.case_reference = *request.case_reference;
  }
  if (consultation.purpose == kOperatorPurpose) {
    return policy::Visibility{.wanted_persons = true, .criminal_records = true};
  }
  auto purpose = policy::ParsePurpose(consultation.purpose);
  if (!purpose) return Fail(purpose.error().WithContext("--purpose"));
  request.purpose = *purpose;
  return policy::DecideConsultation(identity::RoleSet{identity::Role::kInvestigator}, request);
}

}  // namespace

int RunSearch(const std::filesystem::path& data_dir, const SearchCommandOptions& options) {
  records::SearchQuery query;
  query.surname = options.surname;
  query.given_name = options.given_name;
  if (!options.birth_date.empty()) {
    auto date = records::ParsePartialDate(options.birth_date);
    if (!date) return ReportError(date.error().WithContext("--birth"));
    query.birth_date = *date;
  }
  // Refuse a bad query before paying for loading the index.
  if (auto valid = records::ValidateQuery(query); !valid) return ReportError(valid.error());
  ConsultationOptions consultation = options.consultation;
  auto visibility = OperatorVisibility(consultation);
  if (!visibility) return ReportError(visibility.error());

  auto local = AdminPortal::Open(data_dir);
  if (!local) return ReportError(local.error());
  Installation& installation = (*local)->installation;
  app::AuditTrail& trail = (*local)->portal->audit_trail();
  auto repository = records::RecordRepository::Create(*installation.db, installation.keyring);
  if (!repository) return ReportError(repository.error());
  ProgressLine progress("loading index");
  auto search = records::RecordSearch::Load(*repository, [&](int64_t done, int64_t total) {
    progress.Update(static_cast<uint64_t>(done), static_cast<uint64_t>(total), "persons");
  });
  progress.Finish();
  if (!search) return ReportError(search.error());

  const auto started = std::chrono::steady_clock::now();
  audit::AuditEvent event = OperatorEvent(trail, audit::AuditEventType::kSearch, consultation);
  const records::SearchScope scope = policy::SearchScopeFor(*visibility);
  auto result = search->Search(query, *repository, (*local)->clock,
                               installation.config.search.max_results, scope);
  trail.AddQuery(event, query, result ? std::optional(scope) : std::nullopt);
  if (!result) {
    trail.RecordRefusal(std::move(event), result.error(), started);
    return ReportError(result.error());
  }
  policy::MinimiseSearchResult(*visibility, *result);
  for (const records::PersonSummary& summary : result->summaries) {
    event.person_ids.push_back(summary.person_id);
  }
  if (auto recorded = trail.Record(std::move(event), started); !recorded) {
    return ReportError(recorded.error());
  }
  std::fputs((options.json ? RenderSearchJson(*result, *visibility)
                           : RenderSearchText(*result, *visibility))
                 .c_str(),
             stdout);
  return 0;
}

int RunShow(const std::filesystem::path& data_dir, const ShowCommandOptions& options) {
  ConsultationOptions consultation = options.consultation;
  auto visibility = OperatorVisibility(consultation);
  if (!visibility) return ReportError(visibility.error());
  auto local = AdminPortal::Open(data_dir);
  if (!local) return ReportError(local.error());
  Installation& installation = (*local)->installation;
  app::AuditTrail& trail = (*local)->portal->audit_trail();
  auto repository = records::RecordRepository::Create(*installation.db, installation.keyring);
  if (!repository) return ReportError(repository.error());
  const auto started = std::chrono::steady_clock::now();
  audit::AuditEvent event = OperatorEvent(trail, audit::AuditEventType::kFileOpening, consultation);
  event.subject = app::FileOpeningSubject(options.person_id);
  auto file = [&]() -> Result<records::PersonFile> {
    ASSIGN_OR_RETURN(records::PersonFile opened,
                     records::OpenPersonFile(*repository, options.person_id));
    RETURN_IF_ERROR(
        policy::MinimisePersonFile(*visibility, records::DateOf((*local)->clock.Now()), opened));
    return opened;
  }();
  if (!file) {
    trail.RecordRefusal(std::move(event), file.error(), started);
    return ReportError(file.error());
  }
  event.person_ids.push_back(file->person.id);
  for (const records::WantedNotice& notice : file->notices) event.notice_ids.push_back(notice.id);
  for (const records::RecordEntry& entry : file->entries) event.entry_ids.push_back(entry.id);
  if (auto recorded = trail.Record(std::move(event), started); !recorded) {
    return ReportError(recorded.error());
  }
  std::fputs((options.json ? RenderPersonFileJson(*file, *visibility)
                           : RenderPersonFileText(*file, *visibility))
                 .c_str(),
             stdout);
  return 0;
}

}  // namespace vigie::cli
