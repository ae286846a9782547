#pragma once
// Who may consult what, and what they see. The role decides the datasets
// (agents: wanted persons; investigators: also criminal records), the
// purpose and case reference decide whether criminal records are in play
// for this consultation, and results are cut down to what that allows
// before they leave (DESIGN: "minimal summaries").
//
// Security: separation of duties — an administrator manages agents and
// units and never consults records, even if also given a consulting role;
// supervisors and security officers read the audit trail, not the files.
// Thread-safety: pure functions.

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "identity/model.h"
#include "policy/purpose.h"
#include "records/person_file.h"
#include "records/search.h"

namespace vigie::policy {

struct ConsultationRequest {
  Purpose purpose = Purpose::kIdentityCheck;
  std::optional<std::string> case_reference;  // validated by ValidateCaseReference
};

// What one consultation may show.
struct Visibility {
  bool wanted_persons = false;    // wanted flag and notices in force
  bool criminal_records = false;  // record entries, and notices no longer in force
};

// Errors: PermissionDenied when the roles may not consult records at all
// (administrator, security officer, or no consulting role); InvalidArgument when the purpose
// reaches criminal records (an inquiry) without a case reference.
Result<Visibility> DecideConsultation(const identity::RoleSet& roles,
                                      const ConsultationRequest& request);

// Whether the roles may manage agents and units.
bool MayAdminister(const identity::RoleSet& roles);

// Refuses (InvalidArgument) role sets that break separation of duties:
// administrator, or security officer, together with agent or investigator.
Result<void> CheckSeparationOfDuties(const identity::RoleSet& roles);

// Whom a search under `visibility` may find: without criminal records, only
// persons wanted today (a listed person who is not wanted would be one on
// file for something the consultation may not see).
records::SearchScope SearchScopeFor(const Visibility& visibility);

// Removes from search results what `visibility` does not allow.
void MinimiseSearchResult(const Visibility& visibility, records::SearchResult& result);

// Removes from a full file what `visibility` does not allow; `today` decides
// which notices are in force. NotFound, as for a person who does not exist,
// when nothing of the file is left for this consultation to see: the
// person's mere presence would tell what the search scope hides.
Result<void> MinimisePersonFile(const Visibility& visibility, const records::PartialDate& today,
                                records::PersonFile& file);

}  // namespace vigie::policy
