#pragma once
// What the investigation use cases take and give: an agent's own recent
// consultations, and for security officers the breach report and the
// leaked-sample check that `vigie breach report` and `vigie claim check` run
// at the console (Portal::OwnConsultations, ReportBreach, CheckClaim;
// defined in portal_investigation.cc).
// Thread-safety: plain values.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "incident/breach_report.h"
#include "incident/claim_check.h"

namespace vigie::app {

// Security: what one look at one's own history may return.
inline constexpr size_t kMaxOwnConsultations = 50;

// Security: the most events one report over the API may read (about 1.5 KB
// each in memory with its proof, more once rendered); a wider scope is
// refused, and `vigie breach report` on the server has no such bound.
inline constexpr uint64_t kMaxBreachReportEvents = 200'000;

struct BreachRequest {
  // Looked up in the directory and added to scope.agent_ids (at most
  // incident::kMaxBreachSelectors in all); NotFound for one that is unknown.
  std::vector<std::string> service_numbers;
  incident::BreachScope scope;
  bool with_proofs = true;
  // Opens each subject's name from the records: for the subjects' CSV only
  // (the JSON and HTML reports carry ids and counts).
  bool name_subjects = false;
};

struct BreachAnswer {
  incident::BreachReport report;
  // The checkpoint's Ed25519 key, for convenience; empty without a checkpoint.
  std::vector<uint8_t> checkpoint_public_key;
};

struct ClaimRequest {
  std::string_view sample;  // the published file's text, borrowed for the call
  std::string sample_name;  // its file name, for the audit event ("" = none given)
  incident::ClaimCheckOptions options;
};

}  // namespace vigie::app
