#include "policy/purpose.h"

#include <array>
#include <cctype>

namespace vigie::policy {
namespace {

struct PurposeInfo {
  Purpose purpose;
  std::string_view name;
  bool criminal_records;
};

constexpr std::array kPurposes = {
    PurposeInfo{Purpose::kIdentityCheck, "identity_check", false},
    PurposeInfo{Purpose::kRoadsideCheck, "roadside_check", false},
    PurposeInfo{Purpose::kBorderControl, "border_control", false},
    PurposeInfo{Purpose::kWarrantExecution, "warrant_execution", false},
    PurposeInfo{Purpose::kMissingPersonSearch, "missing_person_search", false},
    PurposeInfo{Purpose::kJudicialInvestigation, "judicial_investigation", true},
    PurposeInfo{Purpose::kAdministrativeInquiry, "administrative_inquiry", true},
};

constexpr std::array kAll = {
    Purpose::kIdentityCheck,         Purpose::kRoadsideCheck,       Purpose::kBorderControl,
    Purpose::kWarrantExecution,      Purpose::kMissingPersonSearch, Purpose::kJudicialInvestigation,
    Purpose::kAdministrativeInquiry,
};

const PurposeInfo& InfoOf(Purpose purpose) {
  for (const PurposeInfo& info : kPurposes) {
    if (info.purpose == purpose) return info;
  }
  return kPurposes[0];  // unreachable: every enumerator is in the table
}

bool IsReferenceChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
         c == '.' || c == '_' || c == '-';
}

}  // namespace

std::span<const Purpose> AllPurposes() { return kAll; }

std::string_view PurposeName(Purpose purpose) { return InfoOf(purpose).name; }

Result<Purpose> ParsePurpose(std::string_view name) {
  for (const PurposeInfo& info : kPurposes) {
    if (info.name == name) return info.purpose;
  }
  std::string accepted;
  for (const PurposeInfo& info : kPurposes) {
    accepted += accepted.empty() ? "" : ", ";
    accepted += info.name;
  }
  return Fail(ErrorCode::kInvalidArgument, "purpose must be one of: " + accepted);
}

bool PurposeAllowsCriminalRecords(Purpose purpose) { return InfoOf(purpose).criminal_records; }

Result<std::string> ValidateCaseReference(std::string_view reference) {
  while (!reference.empty() && reference.front() == ' ') reference.remove_prefix(1);
  while (!reference.empty() && reference.back() == ' ') reference.remove_suffix(1);
  if (reference.size() < 3 || reference.size() > 64) {
    return Fail(ErrorCode::kInvalidArgument, "case reference must be 3 to 64 characters");
  }
  bool alphanumeric = false;
  for (char c : reference) {
    if (!IsReferenceChar(c)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "case reference may hold only letters, digits and / . _ -");
    }
    alphanumeric = alphanumeric || std::isalnum(static_cast<unsigned char>(c)) != 0;
  }
  // "---" matches no procedure: the reference is there to be matched to one.
  if (!alphanumeric) {
    return Fail(ErrorCode::kInvalidArgument, "case reference must hold a letter or a digit");
  }
  return std::string(reference);
}

}  // namespace vigie::policy
