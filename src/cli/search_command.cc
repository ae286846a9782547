#include <cstdio>

#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/progress.h"
#include "cli/render.h"
#include "records/records.h"

namespace vigie::cli {

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

  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  ProgressLine progress("loading index");
  auto search = records::RecordSearch::Load(*repository, [&](int64_t done, int64_t total) {
    progress.Update(static_cast<uint64_t>(done), static_cast<uint64_t>(total), "persons");
  });
  progress.Finish();
  if (!search) return ReportError(search.error());
  SystemClock clock;
  auto result =
      search->Search(query, *repository, clock, installation->config.search.max_results);
  if (!result) return ReportError(result.error());
  std::fputs((options.json ? RenderSearchJson(*result) : RenderSearchText(*result)).c_str(),
             stdout);
  return 0;
}

int RunShow(const std::filesystem::path& data_dir, int64_t person_id, bool json) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  auto file = records::OpenPersonFile(*repository, person_id);
  if (!file) return ReportError(file.error());
  std::fputs((json ? RenderPersonFileJson(*file) : RenderPersonFileText(*file)).c_str(), stdout);
  return 0;
}

}  // namespace vigie::cli
