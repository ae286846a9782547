#pragma once
// The claim check's results as text: each row as one JSON line or CSV
// record, and the summary as JSON or for a human. Field by field in
// docs/formats/claim-check.md. Times are UTC, ISO 8601 with microseconds.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <string>

#include "incident/claim_check.h"

namespace vigie::incident {

// Sessions listed in a summary, most persons returned first.
inline constexpr size_t kMaxSummarySessions = 100;

std::string ClaimRowJson(const ClaimRowResult& row);  // no line break
std::string ClaimRowCsvHeader();                      // no line break
std::string ClaimRowCsv(const ClaimRowResult& row);   // no line break

// The totals, the columns used and the sessions involved (at most
// kMaxSummarySessions, most persons first).
std::string ClaimSummaryJson(const ClaimSummary& summary);
std::string ClaimSummaryText(const ClaimSummary& summary);

}  // namespace vigie::incident
