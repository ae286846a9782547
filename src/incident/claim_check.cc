#include "incident/claim_check.h"

#include <algorithm>

#include "incident/claim_identity.h"
#include "incident/claim_matcher.h"

namespace vigie::incident {
namespace {

// A sample row reduced to what the check needs once persons are matched.
struct ReadRow {
  int64_t row = 0;
  int64_t line = 0;
  uint64_t key = 0;
  std::string person_id;
  std::string error;  // non-empty: invalid
};

std::optional<bool> IdAgrees(std::string_view id, const std::vector<PersonMatch>& persons) {
  if (id.empty() || persons.empty()) return std::nullopt;
  return std::any_of(persons.begin(), persons.end(), [&](const PersonMatch& p) {
    return p.external_id == id || std::to_string(p.person_id) == id;
  });
}

}  // namespace

std::string_view ClaimVerdictName(ClaimVerdict verdict) {
  switch (verdict) {
    case ClaimVerdict::kRealAndAccessed:
      return "real_and_accessed";
    case ClaimVerdict::kRealNeverAccessed:
      return "real_never_accessed";
    case ClaimVerdict::kNoMatch:
      return "no_match";
    case ClaimVerdict::kInvalid:
      return "invalid";
  }
  return "invalid";
}

Result<ClaimSummary> CheckClaim(std::string_view sample, const ClaimCheckOptions& options,
                                records::RecordRepository& repository, store::Connection& audit_db,
                                RandomSource& random, const ClaimRowSink& sink) {
  auto progress = [&](std::string_view stage, int64_t done, int64_t total) {
    if (options.progress) options.progress(stage, done, total);
  };
  ASSIGN_OR_RETURN(SampleReader reader,
                   SampleReader::Open(sample, options.format, options.columns));
  ClaimSummary summary;
  for (SampleField field : kSampleFields) {
    summary.columns[static_cast<size_t>(field)] = reader.ColumnOf(field);
  }

  // 1. The sample: every row's identity key.
  const IdentityKeyer keyer(random);
  std::vector<ReadRow> rows;
  // A line per row, but no room for blank lines: a row holds three fields
  // and their separators, at least 6 bytes; and never past the row limit
  // (a sample of newlines would reserve for millions).
  rows.reserve(std::min({static_cast<size_t>(std::count(sample.begin(), sample.end(), '\n')) + 1,
                         sample.size() / 6 + 1, options.max_rows + 1}));
  IdentityMatches matches;
  SampleRow row;
  while (reader.Next(row)) {
    if (rows.size() == options.max_rows) {
      return Fail(ErrorCode::kInvalidArgument, "the sample has more than " +
                                                   std::to_string(options.max_rows) +
                                                   " rows: check it in parts");
    }
    ReadRow& read = rows.emplace_back();
    read.row = row.row;
    read.line = row.line;
    read.person_id = std::move(row.person_id);
    if (!row.error.empty()) {
      read.error = std::move(row.error);
    } else if (auto key = keyer.RowKey(row.surname, row.given_names, row.birth_date); !key) {
      read.error = key.error().message();
    } else {
      read.key = *key;
      matches.try_emplace(*key);
    }
    if (rows.size() % 65536 == 0) {
      progress("sample", static_cast<int64_t>(reader.bytes_read()),
               static_cast<int64_t>(sample.size()));
    }
  }
  progress("sample", static_cast<int64_t>(sample.size()), static_cast<int64_t>(sample.size()));

  // 2. The persons bearing those identities.
  RETURN_IF_ERROR(MatchPersons(repository, keyer, matches, [&](int64_t done, int64_t total) {
    progress("persons", done, total);
  }));
  std::vector<int64_t> persons;
  for (const auto& [key, found] : matches) {
    for (const PersonMatch& p : found) persons.push_back(p.person_id);
  }
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());

  // 3. Who was shown them.
  AccessOptions access_options = options.access;
  if (!access_options.progress) {
    access_options.progress = [&](int64_t events) { progress("audit log", events, 0); };
  }
  ASSIGN_OR_RETURN(AccessReport accesses, FindAccesses(audit_db, persons, access_options));

  // 4. The verdicts, in sample order.
  ClaimTotals& totals = summary.totals;
  totals.persons_matched = static_cast<int64_t>(persons.size());
  totals.persons_accessed = static_cast<int64_t>(accesses.persons.size());
  for (const auto& [person, events] : accesses.named_by_investigations) {
    if (!accesses.persons.contains(person)) ++totals.persons_named_not_returned;
  }
  ClaimRowResult result;
  for (const ReadRow& read : rows) {
    result = ClaimRowResult();
    result.row = read.row;
    result.line = read.line;
    ++totals.rows;
    if (!read.error.empty()) {
      result.verdict = ClaimVerdict::kInvalid;
      result.error = read.error;
      ++totals.invalid;
    } else {
      const std::vector<PersonMatch>& found = matches.at(read.key);
      bool accessed = false;
      for (const PersonMatch& p : found) {
        auto access = accesses.persons.find(p.person_id);
        const PersonAccess* shown = access == accesses.persons.end() ? nullptr : &access->second;
        accessed = accessed || shown != nullptr;
        auto named = accesses.named_by_investigations.find(p.person_id);
        result.persons.push_back(
            {p.person_id, p.first_given_name_only, shown,
             named == accesses.named_by_investigations.end() ? 0 : named->second});
      }
      result.verdict = found.empty() ? ClaimVerdict::kNoMatch
                       : accessed    ? ClaimVerdict::kRealAndAccessed
                                     : ClaimVerdict::kRealNeverAccessed;
      ++(found.empty() ? totals.no_match
         : accessed    ? totals.real_and_accessed
                       : totals.real_never_accessed);
      result.id_agrees = IdAgrees(read.person_id, found);
      if (result.id_agrees) ++(*result.id_agrees ? totals.id_agrees : totals.id_disagrees);
    }
    RETURN_IF_ERROR(sink(result));
  }
  summary.sessions = std::move(accesses.sessions);
  summary.agents = accesses.agents;
  summary.access_method = accesses.method;
  return summary;
}

}  // namespace vigie::incident
