#include "identity/password_policy.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "crypto/password.h"
#include "identity/internal/text.h"

namespace vigie::identity {
namespace {

// The parts of an identifier worth refusing inside a password: the whole of
// it (folded), and each piece between separators, when at least
// kMinIdentifierPart characters long.
void AddParts(std::string_view identifier, std::string_view separators,
              std::vector<std::string>& parts) {
  std::string folded = internal::Fold(identifier);
  auto add = [&](std::string_view part) {
    if (internal::CodePointCount(part) >= kMinIdentifierPart) parts.emplace_back(part);
  };
  add(folded);
  std::string compact;
  size_t start = 0;
  for (size_t i = 0; i <= folded.size(); ++i) {
    if (i == folded.size() || separators.find(folded[i]) != std::string_view::npos) {
      std::string_view piece = std::string_view(folded).substr(start, i - start);
      add(piece);
      compact += piece;
      start = i + 1;
    }
  }
  add(compact);  // "PN-1234" also as "pn1234"
}

}  // namespace

Result<CommonPasswords> CommonPasswords::Parse(std::string_view text) {
  if (!internal::IsValidUtf8(text)) {
    return Fail(ErrorCode::kDataLoss, "common-password list is not valid UTF-8");
  }
  CommonPasswords list;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view trimmed = internal::TrimSpaces(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    list.folded_.insert(internal::Fold(trimmed));
  }
  return list;
}

Result<CommonPasswords> CommonPasswords::Load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Fail(ErrorCode::kNotFound, "common-password list " + path.string() + " not found");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kInternal, "cannot read " + path.string());
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return Fail(ErrorCode::kInternal, "cannot read " + path.string());
  auto parsed = Parse(contents.str());
  if (!parsed) return Fail(parsed.error().WithContext(path.string()));
  return parsed;
}

bool CommonPasswords::Contains(std::string_view password) const {
  return folded_.contains(internal::Fold(password));
}

Result<void> PasswordPolicy::Check(std::string_view password, const PasswordOwner& owner) const {
  if (!internal::IsValidUtf8(password)) {
    return Fail(ErrorCode::kInvalidArgument, "password is not valid UTF-8");
  }
  if (password.size() > crypto::kMaxPasswordBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "password is longer than " + std::to_string(crypto::kMaxPasswordBytes) + " bytes");
  }
  if (internal::CodePointCount(password) < kMinPasswordCodePoints) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "password must have at least " + std::to_string(kMinPasswordCodePoints) + " characters");
  }
  if (common_.Contains(password)) {
    return Fail(ErrorCode::kInvalidArgument, "password is in the list of commonly used passwords");
  }
  std::string folded = internal::Fold(password);
  std::vector<std::string> service_parts;
  AddParts(owner.service_number, "-", service_parts);
  for (const std::string& part : service_parts) {
    if (folded.find(part) != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "password must not contain the service number");
    }
  }
  std::vector<std::string> name_parts;
  AddParts(owner.display_name, " -'.,\t", name_parts);
  for (const std::string& part : name_parts) {
    if (folded.find(part) != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "password must not contain the agent's name");
    }
  }
  return {};
}

}  // namespace vigie::identity
