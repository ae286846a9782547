#include "bench/api_load/agent_credentials.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "crypto/totp.h"

namespace vigie::bench {
namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

Error BadLine(const std::filesystem::path& file, size_t number) {
  return Error(ErrorCode::kInvalidArgument,
               file.string() + ":" + std::to_string(number) + ": malformed line");
}

// Non-empty lines of a file, each split at tabs, with their line numbers.
Result<std::vector<std::pair<size_t, std::vector<std::string>>>> ReadTable(
    const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + file.string());
  std::vector<std::pair<size_t, std::vector<std::string>>> rows;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty()) rows.emplace_back(number, SplitTabs(line));
  }
  return rows;
}

}  // namespace

Result<std::vector<AgentCredential>> LoadCredentials(const std::filesystem::path& file) {
  ASSIGN_OR_RETURN(auto rows, ReadTable(file));
  std::vector<AgentCredential> agents;
  for (auto& [number, fields] : rows) {
    if (fields.size() != 4) return Fail(BadLine(file, number));
    AgentCredential agent{.service_number = fields[0],
                          .password = fields[1],
                          .totp_secret = fields[2],
                          .last_totp_step = 0};
    const std::string& step = fields[3];
    auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), agent.last_totp_step);
    if (ec != std::errc() || end != step.data() + step.size()) return Fail(BadLine(file, number));
    agents.push_back(std::move(agent));
  }
  return agents;
}

Result<void> SaveCredentials(const std::filesystem::path& file,
                             const std::vector<AgentCredential>& agents) {
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return Fail(ErrorCode::kUnavailable, "cannot write " + temporary.string());
    ::chmod(temporary.c_str(), 0600);
    for (const AgentCredential& agent : agents) {
      out << agent.service_number << '\t' << agent.password << '\t' << agent.totp_secret << '\t'
          << agent.last_totp_step << '\n';
    }
    if (!out.flush()) return Fail(ErrorCode::kUnavailable, "cannot write " + temporary.string());
  }
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot replace " + file.string() + ": " + ec.message());
  return {};
}

Result<std::vector<PendingActivation>> LoadActivationCodes(const std::filesystem::path& file) {
  ASSIGN_OR_RETURN(auto rows, ReadTable(file));
  std::vector<PendingActivation> pending;
  for (auto& [number, fields] : rows) {
    if (fields.size() != 2 || fields[0].empty() || fields[1].empty()) {
      return Fail(BadLine(file, number));
    }
    pending.push_back({.service_number = fields[0], .code = fields[1]});
  }
  return pending;
}

std::optional<std::string> TakeTotpCode(AgentCredential& agent, int64_t unix_now) {
  int64_t now_step = crypto::TotpStep(unix_now);
  int64_t step = std::max(now_step, agent.last_totp_step + 1);
  if (step > now_step + 1) return std::nullopt;
  auto seed = crypto::Base32Decode(agent.totp_secret);
  if (!seed) return std::nullopt;
  agent.last_totp_step = step;
  return crypto::TotpCode(*seed, step);
}

}  // namespace vigie::bench
