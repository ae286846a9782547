#pragma once
// PasswordPolicy: what an agent's new password must satisfy, checked at
// activation. Each refusal says which rule failed (InvalidArgument):
//   - valid UTF-8, at least 12 characters (code points, not bytes), at most
//     crypto::kMaxPasswordBytes bytes;
//   - not in the shipped list of common leaked passwords (caseless);
//   - not containing the service number, or any part of it or of the
//     agent's name of 3 characters or more (caseless, accents ignored).
//
// Thread-safety: a CommonPasswords and a PasswordPolicy are immutable after
// construction and may be shared between threads.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/error.h"

namespace vigie::identity {

inline constexpr size_t kMinPasswordCodePoints = 12;
inline constexpr size_t kMinIdentifierPart = 3;

// The common-password list: one password per line ('#' starts a comment
// line, blank lines ignored), compared after the same caseless fold as
// PasswordPolicy uses.
class CommonPasswords {
 public:
  CommonPasswords() = default;  // empty list

  // Reads `path` (data/common-passwords.txt, found through VIGIE_SHARE_DIR).
  // NotFound: no such file. Internal: unreadable. DataLoss: not UTF-8.
  // Security: fail (rather than run with an empty list) when the file is
  // missing, so a packaging mistake cannot silently weaken the policy.
  static Result<CommonPasswords> Load(const std::filesystem::path& path);
  static Result<CommonPasswords> Parse(std::string_view text);

  bool Contains(std::string_view password) const;
  size_t size() const { return folded_.size(); }

 private:
  std::unordered_set<std::string> folded_;
};

// Who the password is for: their identifiers must not appear in it.
struct PasswordOwner {
  std::string_view service_number;
  std::string_view display_name;
};

class PasswordPolicy {
 public:
  explicit PasswordPolicy(CommonPasswords common) : common_(std::move(common)) {}

  // OK, or InvalidArgument naming the rule that failed. The message never
  // repeats the password.
  Result<void> Check(std::string_view password, const PasswordOwner& owner) const;

 private:
  CommonPasswords common_;
};

}  // namespace vigie::identity
