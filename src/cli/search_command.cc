// `vigie search` and `vigie show`: consultations by the local operator,
// audited like the API's (DESIGN invariant 1): nothing is printed unless the
// event naming what is shown is durable.

#include <cstdio>
#include <optional>

#include "app/audit_trail.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/progress.h"
#include "cli/render.h"
#include "records/records.h"

namespace vigie::cli {
namespace {

// What a local consultation needs beside the installation: its audit log and
// the trail that fills events for the local operator.
struct AuditedConsultation {
  Installation installation;
  SystemClock clock;
  std::unique_ptr<audit::AuditLog> log;
  std::unique_ptr<app::AuditTrail> trail;

  static Result<std::unique_ptr<AuditedConsultation>> Open(const std::filesystem::path& data_dir) {
    ASSIGN_OR_RETURN(Installation installation, Installation::Open(data_dir));
    auto opened = std::make_unique<AuditedConsultation>(std::move(installation));
    ASSIGN_OR_RETURN(opened->log, opened->installation.OpenAuditLog(opened->clock));
    ASSIGN_OR_RETURN(const crypto::DataKey* terms_key,
                     opened->installation.keyring.Current(crypto::kPurposeAuditTerms));
    opened->trail = std::make_unique<app::AuditTrail>(*opened->log, *terms_key, opened->clock);
    return opened;
  }

  explicit AuditedConsultation(Installation opened) : installation(std::move(opened)) {}

  audit::AuditEvent Event(audit::AuditEventType type, const ConsultationOptions& consultation) {
    return trail->Consultation(app::LocalOperator(), type, consultation.purpose,
                               consultation.case_reference);
  }
};

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

  auto local = AuditedConsultation::Open(data_dir);
  if (!local) return ReportError(local.error());
  Installation& installation = (*local)->installation;
  auto repository = records::RecordRepository::Create(*installation.db, installation.keyring);
  if (!repository) return ReportError(repository.error());
  ProgressLine progress("loading index");
  auto search = records::RecordSearch::Load(*repository, [&](int64_t done, int64_t total) {
    progress.Update(static_cast<uint64_t>(done), static_cast<uint64_t>(total), "persons");
  });
  progress.Finish();
  if (!search) return ReportError(search.error());

  const auto started = std::chrono::steady_clock::now();
  audit::AuditEvent event = (*local)->Event(audit::AuditEventType::kSearch, options.consultation);
  // The operator's search is not limited to wanted persons.
  constexpr records::SearchScope kScope = records::SearchScope::kEveryPerson;
  auto result = search->Search(query, *repository, (*local)->clock,
                               installation.config.search.max_results, kScope);
  (*local)->trail->AddQuery(event, query, result ? std::optional(kScope) : std::nullopt);
  if (!result) {
    (*local)->trail->RecordRefusal(std::move(event), result.error(), started);
    return ReportError(result.error());
  }
  for (const records::PersonSummary& summary : result->summaries) {
    event.person_ids.push_back(summary.person_id);
  }
  if (auto recorded = (*local)->trail->Record(std::move(event), started); !recorded) {
    return ReportError(recorded.error());
  }
  std::fputs((options.json ? RenderSearchJson(*result) : RenderSearchText(*result)).c_str(),
             stdout);
  return 0;
}

int RunShow(const std::filesystem::path& data_dir, const ShowCommandOptions& options) {
  auto local = AuditedConsultation::Open(data_dir);
  if (!local) return ReportError(local.error());
  Installation& installation = (*local)->installation;
  auto repository = records::RecordRepository::Create(*installation.db, installation.keyring);
  if (!repository) return ReportError(repository.error());
  const auto started = std::chrono::steady_clock::now();
  audit::AuditEvent event =
      (*local)->Event(audit::AuditEventType::kFileOpening, options.consultation);
  auto file = records::OpenPersonFile(*repository, options.person_id);
  if (!file) {
    (*local)->trail->RecordRefusal(std::move(event), file.error(), started);
    return ReportError(file.error());
  }
  event.person_ids.push_back(file->person.id);
  for (const records::WantedNotice& notice : file->notices) event.notice_ids.push_back(notice.id);
  for (const records::RecordEntry& entry : file->entries) event.entry_ids.push_back(entry.id);
  if (auto recorded = (*local)->trail->Record(std::move(event), started); !recorded) {
    return ReportError(recorded.error());
  }
  std::fputs((options.json ? RenderPersonFileJson(*file) : RenderPersonFileText(*file)).c_str(),
             stdout);
  return 0;
}

}  // namespace vigie::cli
