#include "identity/model.h"

#include <array>
#include <utility>

#include "core/utf8.h"
#include "identity/internal/codes.h"
#include "identity/internal/text.h"

namespace vigie::identity {
namespace {

constexpr std::array<std::pair<UnitKind, std::string_view>, 6> kUnitKinds = {{
    {UnitKind::kPolice, "police"},
    {UnitKind::kGendarmerie, "gendarmerie"},
    {UnitKind::kMunicipalPolice, "municipal_police"},
    {UnitKind::kCustoms, "customs"},
    {UnitKind::kPrefecture, "prefecture"},
    {UnitKind::kOther, "other"},
}};

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoles = {{
    {Role::kAgent, "agent"},
    {Role::kInvestigator, "investigator"},
    {Role::kSupervisor, "supervisor"},
    {Role::kSecurityOfficer, "security_officer"},
    {Role::kAdministrator, "administrator"},
}};

constexpr std::array<std::pair<AgentStatus, std::string_view>, 5> kStatuses = {{
    {AgentStatus::kPendingActivation, "pending_activation"},
    {AgentStatus::kActive, "active"},
    {AgentStatus::kSuspended, "suspended"},
    {AgentStatus::kLocked, "locked"},
    {AgentStatus::kDisabled, "disabled"},
}};

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

// Echoes untrusted text in an error message only when it is short printable
// ASCII; otherwise just says it was not recognised.
std::string Quoted(std::string_view text) {
  if (text.size() > 40) return "(too long)";
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return "(not printable)";
  }
  return "\"" + std::string(text) + "\"";
}

template <typename Enum, size_t N>
Result<Enum> Parse(const std::array<std::pair<Enum, std::string_view>, N>& table,
                   std::string_view what, std::string_view text) {
  std::string known;
  for (const auto& [v, name] : table) {
    if (name == text) return v;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown " + std::string(what) + " " + Quoted(text) +
                                               " (expected one of: " + known + ")");
}

}  // namespace

std::string_view UnitKindName(UnitKind kind) { return NameOf(kUnitKinds, kind); }
Result<UnitKind> ParseUnitKind(std::string_view text) {
  return Parse(kUnitKinds, "unit kind", text);
}

std::string_view RoleName(Role role) { return NameOf(kRoles, role); }
Result<Role> ParseRole(std::string_view text) { return Parse(kRoles, "role", text); }

std::string_view AgentStatusName(AgentStatus status) { return NameOf(kStatuses, status); }
Result<AgentStatus> ParseAgentStatus(std::string_view text) {
  return Parse(kStatuses, "agent status", text);
}

std::vector<Role> RoleSet::ToVector() const {
  std::vector<Role> roles;
  for (Role r : kAllRoles) {
    if (Has(r)) roles.push_back(r);
  }
  return roles;
}

std::string RoleSet::ToString() const {
  std::string text;
  for (Role r : ToVector()) text += (text.empty() ? "" : ",") + std::string(RoleName(r));
  return text;
}

Result<RoleSet> RoleSet::Parse(std::string_view text) {
  RoleSet set;
  while (!text.empty()) {
    size_t comma = text.find(',');
    ASSIGN_OR_RETURN(Role role, ParseRole(text.substr(0, comma)));
    set.Add(role);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (set.empty()) return Fail(ErrorCode::kInvalidArgument, "an agent needs at least one role");
  return set;
}

Result<RoleSet> RoleSet::FromNames(std::span<const std::string> names) {
  RoleSet set;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(Role role, ParseRole(name));
    set.Add(role);
  }
  if (set.empty()) return Fail(ErrorCode::kInvalidArgument, "an agent needs at least one role");
  return set;
}

Result<void> ValidateCode(std::string_view what, std::string_view code) {
  std::string field(what);
  if (code.empty()) return Fail(ErrorCode::kInvalidArgument, field + " is empty");
  if (code.size() > kMaxCodeLength) {
    return Fail(ErrorCode::kInvalidArgument,
                field + " is longer than " + std::to_string(kMaxCodeLength) + " characters");
  }
  for (char c : code) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return Fail(ErrorCode::kInvalidArgument,
                  field + " may only contain upper-case letters A-Z, digits and '-'");
    }
  }
  if (code.front() == '-' || code.back() == '-') {
    return Fail(ErrorCode::kInvalidArgument, field + " must not start or end with '-'");
  }
  return {};
}

std::string NormalisedServiceNumber(std::string_view typed) { return internal::UpperAscii(typed); }

Result<std::string> ValidateName(std::string_view what, std::string_view name) {
  std::string field(what);
  switch (FindTextFlaw(name)) {
    case TextFlaw::kNone:
      break;
    case TextFlaw::kIllFormed:
      return Fail(ErrorCode::kInvalidArgument, field + " is not valid UTF-8");
    case TextFlaw::kControl:
    case TextFlaw::kFormatting:  // a name that would display as another
      return Fail(ErrorCode::kInvalidArgument, field + " contains a control character");
  }
  std::string_view trimmed = internal::TrimSpaces(name);
  if (trimmed.empty()) return Fail(ErrorCode::kInvalidArgument, field + " is empty");
  if (internal::CodePointCount(trimmed) > kMaxNameCodePoints) {
    return Fail(ErrorCode::kInvalidArgument,
                field + " is longer than " + std::to_string(kMaxNameCodePoints) + " characters");
  }
  return std::string(trimmed);
}

}  // namespace vigie::identity
