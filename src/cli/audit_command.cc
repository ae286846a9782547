// `vigie audit verify`: the whole log against its signed checkpoints and the
// witness file.

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "audit/audit_verifier.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/progress.h"

namespace vigie::cli {
namespace {

Result<std::vector<audit::Checkpoint>> ReadWitnessFile(const std::filesystem::path& file) {
  std::vector<audit::Checkpoint> checkpoints;
  std::ifstream in(file);
  if (!in) return checkpoints;  // none written yet
  size_t line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    auto checkpoint = audit::ParseWitnessLine(line);
    if (!checkpoint) {
      return Fail(
          checkpoint.error().WithContext(file.string() + ":" + std::to_string(line_number)));
    }
    checkpoints.push_back(*checkpoint);
  }
  return checkpoints;
}

}  // namespace

int RunAuditVerify(const std::filesystem::path& data_dir, const AuditVerifyOptions& options) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  const Config& config = installation->config;
  std::filesystem::path witness_file = options.witness_file;
  if (witness_file.empty() && !config.audit.witness_file.empty()) {
    witness_file = config.Resolve(config.audit.witness_file);
  }
  std::vector<audit::Checkpoint> witness;
  if (!witness_file.empty()) {
    auto read = ReadWitnessFile(witness_file);
    if (!read) return ReportError(read.error());
    witness = std::move(*read);
  }
  std::string url =
      "sqlite:" + config.Resolve(config.audit.url.substr(std::string("sqlite:").size())).string();
  auto db = store::Open(url, {.busy_timeout_ms = config.store.busy_timeout_ms, .read_only = true});
  if (!db) return ReportError(db.error().WithContext("audit log"));

  const crypto::Keyring& keyring = installation->keyring;
  auto key_by_id = [&](uint32_t id) -> std::optional<crypto::Ed25519PublicKey> {
    auto key = keyring.ById(id);
    if (!key || (*key)->purpose != crypto::kPurposeAuditSigning) return std::nullopt;
    return crypto::Ed25519KeyPair::FromSeed((*key)->bytes()).public_key();
  };
  ProgressLine progress("verifying");
  const auto started = std::chrono::steady_clock::now();
  auto report = audit::VerifyAuditLog(**db, key_by_id, witness, [&](uint64_t done, uint64_t total) {
    progress.Update(done, total, "events");
  });
  progress.Finish();
  if (!report) return ReportError(report.error());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (options.json) {
    boost::json::object out{{"ok", report->ok},
                            {"events", report->events},
                            {"bytes", report->bytes},
                            {"checkpoints", report->checkpoints},
                            {"witness_checkpoints", witness.size()},
                            {"seconds", seconds}};
    if (!report->ok) out["problem"] = report->problem;
    if (report->first_bad_event) out["first_bad_event"] = *report->first_bad_event;
    std::printf("%s\n", boost::json::serialize(out).c_str());
  } else if (report->ok) {
    std::printf(
        "audit log verified: %llu events, %llu checkpoints (%zu in the witness file), "
        "%.2f s\n",
        static_cast<unsigned long long>(report->events),
        static_cast<unsigned long long>(report->checkpoints), witness.size(), seconds);
  } else {
    std::printf("AUDIT LOG DOES NOT VERIFY: %s\n", report->problem.c_str());
    if (report->first_bad_event) {
      std::printf("first bad event: %llu\n",
                  static_cast<unsigned long long>(*report->first_bad_event));
    }
  }
  return report->ok ? 0 : ExitCodeFor(ErrorCode::kDataLoss);
}

}  // namespace vigie::cli
