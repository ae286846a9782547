#pragma once
// The leaked-sample check (`vigie claim check`): given a sample attackers
// published, says row by row whether it is a real person held by Vigie, and
// if so whether Vigie ever returned that person, to which sessions and when;
// rows that match nobody are likely fabricated or from elsewhere. Input
// mapping, output fields and verdicts: docs/formats/claim-check.md.
//
// A row is real when a stored person has the same normalised surname, given
// name(s) and birth date (claim_identity.h). An id column alone is never
// trusted: when present it is only compared with the matched person's.
//
// Thread-safety: one check per repository and audit connection at a time.
// Cost: one pass over the sample, one over every stored person, and either a
// few person-index look-ups or one pass over the audit log (claim_access.h).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "incident/claim_access.h"
#include "incident/claim_sample.h"
#include "records/record_repository.h"
#include "store/store.h"

namespace vigie::incident {

enum class ClaimVerdict { kRealAndAccessed, kRealNeverAccessed, kNoMatch, kInvalid };
// "real_and_accessed", "real_never_accessed", "no_match", "invalid".
std::string_view ClaimVerdictName(ClaimVerdict verdict);

struct MatchedPerson {
  int64_t person_id = 0;
  bool first_given_name_only = false;
  const PersonAccess* access = nullptr;  // null: never returned by Vigie
  int64_t named_by_investigations = 0;   // investigation answers that named them
};

struct ClaimRowResult {
  int64_t row = 0;   // 1-based among data rows
  int64_t line = 0;  // where it starts in the sample
  ClaimVerdict verdict = ClaimVerdict::kNoMatch;
  std::string error;                   // kInvalid: why
  std::vector<MatchedPerson> persons;  // real rows: every person bearing the identity
  std::optional<bool> id_agrees;       // the row's id vs the persons'; unset without both
};

struct ClaimTotals {
  int64_t rows = 0;
  int64_t real_and_accessed = 0;
  int64_t real_never_accessed = 0;
  int64_t no_match = 0;
  int64_t invalid = 0;
  int64_t persons_matched = 0;   // distinct persons the real rows name
  int64_t persons_accessed = 0;  // of those, returned by Vigie at least once
  // Of those never returned, named by an investigation's answer.
  int64_t persons_named_not_returned = 0;
  int64_t id_agrees = 0;
  int64_t id_disagrees = 0;
};

struct ClaimSummary {
  ClaimTotals totals;
  std::vector<SessionInvolved> sessions;  // most persons returned first
  int64_t agents = 0;
  std::string columns[4];  // the sample's column for each SampleField; empty: none
  std::string_view access_method;
};

// The most rows a sample may have: a million-row sample and room to spare.
// Security: every row is held until the end, so an attacker's file of
// one-byte lines must be refused, not read into gigabytes.
inline constexpr size_t kMaxClaimRows = 2'000'000;

struct ClaimCheckOptions {
  SampleFormat format = SampleFormat::kCsv;
  std::vector<ColumnOverride> columns;
  AccessOptions access;
  size_t max_rows = kMaxClaimRows;
  // (stage, done, total or 0): "sample" in bytes, "persons", "audit log" in events.
  std::function<void(std::string_view stage, int64_t done, int64_t total)> progress;
};

// Called once per row, in sample order; an error stops the check and is returned.
using ClaimRowSink = std::function<Result<void>(const ClaimRowResult&)>;

// `random` keys the identity hashes (claim_identity.h). Errors:
// InvalidArgument when the sample's columns cannot be found (SampleReader)
// or it has more than options.max_rows rows;
// storage errors; DataLoss from a record or event that fails to open. Bad
// rows are not errors: they are kInvalid rows.
Result<ClaimSummary> CheckClaim(std::string_view sample, const ClaimCheckOptions& options,
                                records::RecordRepository& repository, store::Connection& audit_db,
                                RandomSource& random, const ClaimRowSink& sink);

}  // namespace vigie::incident
