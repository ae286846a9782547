#pragma once
// The identity model: units, agents, their roles and account statuses, with
// the validation rules for what an administrator may type.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::identity {

enum class UnitKind { kPolice, kGendarmerie, kMunicipalPolice, kCustoms, kPrefecture, kOther };

// "police", "gendarmerie", "municipal_police", "customs", "prefecture", "other".
std::string_view UnitKindName(UnitKind kind);
// InvalidArgument for any other text.
Result<UnitKind> ParseUnitKind(std::string_view text);

// What an agent may do (DESIGN: identity, issue 3). Separation of duties is
// decided by `policy`; this component only records the roles.
enum class Role {
  kAgent,            // wanted persons
  kInvestigator,     // wanted persons and criminal records
  kSupervisor,       // their unit's audit trail
  kSecurityOfficer,  // all audit, alerts, incident response
  kAdministrator,    // agents and units
};
inline constexpr Role kAllRoles[] = {Role::kAgent, Role::kInvestigator, Role::kSupervisor,
                                     Role::kSecurityOfficer, Role::kAdministrator};

// "agent", "investigator", "supervisor", "security_officer", "administrator".
std::string_view RoleName(Role role);
// InvalidArgument for any other text.
Result<Role> ParseRole(std::string_view text);

// A set of roles (a bit set over Role).
class RoleSet {
 public:
  RoleSet() = default;
  RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) Add(r);
  }
  void Add(Role role) { bits_ |= Bit(role); }
  bool Has(Role role) const { return (bits_ & Bit(role)) != 0; }
  bool empty() const { return bits_ == 0; }
  std::vector<Role> ToVector() const;
  bool operator==(const RoleSet&) const = default;

  // Role names in kAllRoles order, comma-separated ("agent,investigator").
  std::string ToString() const;
  // Parses ToString()'s form. InvalidArgument for an unknown role or an
  // empty set.
  static Result<RoleSet> Parse(std::string_view text);
  // From names as typed by an administrator. InvalidArgument: unknown role,
  // or no role at all.
  static Result<RoleSet> FromNames(std::span<const std::string> names);

 private:
  static uint32_t Bit(Role role) { return 1u << static_cast<int>(role); }
  uint32_t bits_ = 0;
};

// The responders a lock-down, and a unit's or everyone's containment,
// leave in: security officers who do not also administer (an administrator
// left in could reset any agent and act with its code). Administrator and
// security officer are not given together (policy), but an account made
// before that rule may hold both.
inline bool SparedByContainment(const RoleSet& roles) {
  return roles.Has(Role::kSecurityOfficer) && !roles.Has(Role::kAdministrator);
}

enum class AgentStatus { kPendingActivation, kActive, kSuspended, kLocked, kDisabled };

// "pending_activation", "active", "suspended", "locked", "disabled".
std::string_view AgentStatusName(AgentStatus status);
Result<AgentStatus> ParseAgentStatus(std::string_view text);

struct Unit {
  int64_t id = 0;
  std::string code;
  std::string name;
  UnitKind kind = UnitKind::kOther;
  int64_t created_at = 0;  // unix seconds
};

struct Agent {
  int64_t id = 0;
  std::string service_number;
  std::string display_name;
  int64_t unit_id = 0;
  std::string unit_code;
  RoleSet roles;
  // The effective status at the time of reading: a lock whose time has
  // passed reads as kActive.
  AgentStatus status = AgentStatus::kPendingActivation;
  int64_t locked_until = 0;  // unix seconds; meaningful when status is kLocked
  bool totp_enrolled = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// What an administrator supplies to create a unit or an agent.
struct NewUnit {
  std::string code;  // 1..32 characters of [A-Z0-9-]
  std::string name;  // 1..kMaxNameCodePoints code points of valid UTF-8
  std::string kind;  // a UnitKindName
};
struct NewAgent {
  std::string service_number;      // 1..32 characters of [A-Z0-9-]
  std::string display_name;        // 1..kMaxNameCodePoints code points of valid UTF-8
  std::string unit_code;           // an existing unit
  std::vector<std::string> roles;  // RoleNames, at least one
};

inline constexpr size_t kMaxCodeLength = 32;
inline constexpr size_t kMaxNameCodePoints = 100;

// Service numbers and unit codes: 1..32 characters of [A-Z0-9-], neither
// starting nor ending with '-'. `what` names the field in the message.
// InvalidArgument otherwise.
Result<void> ValidateCode(std::string_view what, std::string_view code);
// A service number as typed, the way logins and lookups read it (ASCII
// letters upper-cased).
std::string NormalisedServiceNumber(std::string_view typed);

// A display or unit name: valid UTF-8, no control characters, 1..100 code
// points once surrounding spaces are trimmed. Returns the trimmed name.
// InvalidArgument otherwise.
Result<std::string> ValidateName(std::string_view what, std::string_view name);

}  // namespace vigie::identity
