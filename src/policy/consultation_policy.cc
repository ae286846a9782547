#include "policy/consultation_policy.h"

#include <algorithm>
#include <string>

namespace vigie::policy {

using identity::Role;

Result<Visibility> DecideConsultation(const identity::RoleSet& roles,
                                      const ConsultationRequest& request) {
  if (roles.Has(Role::kAdministrator)) {
    return Fail(ErrorCode::kPermissionDenied, "administrators do not consult records");
  }
  // Lock-downs and containments of a unit or of everyone spare security
  // officers, who respond: an account that could also consult would read
  // records through them. (Refused at creation too; this holds for older
  // accounts.)
  if (roles.Has(Role::kSecurityOfficer)) {
    return Fail(ErrorCode::kPermissionDenied, "security officers do not consult records");
  }
  bool investigator = roles.Has(Role::kInvestigator);
  if (!investigator && !roles.Has(Role::kAgent)) {
    return Fail(ErrorCode::kPermissionDenied, "this account's roles do not consult records");
  }
  bool inquiry = PurposeAllowsCriminalRecords(request.purpose);
  if (inquiry && !request.case_reference.has_value()) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "purpose '" + std::string(PurposeName(request.purpose)) + "' needs a case reference");
  }
  // Checked here again, in the form the log keeps and the rules count: the
  // reference unlocks criminal records, and the gate must not rely on every
  // caller having validated it.
  if (request.case_reference) {
    ASSIGN_OR_RETURN(std::string valid, ValidateCaseReference(*request.case_reference));
    if (valid != *request.case_reference) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a case reference must be given without spaces around it");
    }
  }
  return Visibility{.wanted_persons = true, .criminal_records = investigator && inquiry};
}

bool MayAdminister(const identity::RoleSet& roles) { return roles.Has(Role::kAdministrator); }

Result<void> CheckSeparationOfDuties(const identity::RoleSet& roles) {
  const bool consults = roles.Has(Role::kAgent) || roles.Has(Role::kInvestigator);
  if (roles.Has(Role::kAdministrator) && consults) {
    return Fail(ErrorCode::kInvalidArgument,
                "an administrator cannot also hold a role that consults records");
  }
  if (roles.Has(Role::kSecurityOfficer) && consults) {
    return Fail(ErrorCode::kInvalidArgument,
                "a security officer cannot also hold a role that consults records (lock-downs "
                "and containments spare security officers)");
  }
  if (roles.Has(Role::kSecurityOfficer) && roles.Has(Role::kAdministrator)) {
    return Fail(ErrorCode::kInvalidArgument,
                "a security officer cannot also be an administrator (lock-downs and "
                "containments spare security officers; one who administers could reset any "
                "agent and act with its code)");
  }
  return {};
}

records::SearchScope SearchScopeFor(const Visibility& visibility) {
  return visibility.criminal_records ? records::SearchScope::kEveryPerson
                                     : records::SearchScope::kWantedToday;
}

void MinimiseSearchResult(const Visibility& visibility, records::SearchResult& result) {
  for (records::PersonSummary& summary : result.summaries) {
    if (!visibility.wanted_persons) summary.wanted = false;
    if (!visibility.criminal_records) summary.record_entries = 0;
  }
}

Result<void> MinimisePersonFile(const Visibility& visibility, const records::PartialDate& today,
                                records::PersonFile& file) {
  if (!visibility.criminal_records) file.entries.clear();
  if (!visibility.wanted_persons) {
    file.notices.clear();
  } else if (!visibility.criminal_records) {
    // A street check needs what is in force now, not the person's history.
    std::erase_if(file.notices, [&](const records::WantedNotice& notice) {
      return !records::NoticeInForce(notice, today);
    });
  }
  if (!visibility.criminal_records && file.notices.empty()) {
    const int64_t id = file.person.id;
    file = {};
    return Fail(ErrorCode::kNotFound, "no person " + std::to_string(id));
  }
  return {};
}

}  // namespace vigie::policy
