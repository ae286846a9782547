#include "cli/witness_evidence.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <system_error>

#include "core/durable_file.h"
#include "witness/checkpoint_publisher.h"

namespace vigie::cli {

Result<std::vector<audit::Checkpoint>> ReadWitnessFile(const std::filesystem::path& file,
                                                       bool named) {
  std::vector<audit::Checkpoint> checkpoints;
  std::error_code missing;
  // Only a file not written yet is "nothing to compare with"; one there but
  // unreadable would hold the log to fewer checkpoints than it has.
  if (!named && !std::filesystem::exists(file, missing) && !missing) return checkpoints;
  std::error_code kind;
  std::ifstream in(file);
  if (!std::filesystem::is_regular_file(file, kind) || !in) {
    return Fail(ErrorCode::kNotFound, "cannot read witness file " + file.string());
  }
  size_t line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    auto checkpoint = audit::ParseWitnessLine(line);
    // A last line without its newline, not a whole one: an append a crash
    // (or the writer, this very moment) left unfinished, acknowledged to
    // nobody. The log's writer cuts it before its next append. Whole (JSON)
    // but no checkpoint: damage, named below.
    if (!checkpoint && in.eof() && !WrittenWholeJson(line)) break;
    if (!checkpoint) {
      return Fail(
          checkpoint.error().WithContext(file.string() + ":" + std::to_string(line_number)));
    }
    checkpoints.push_back(*checkpoint);
  }
  if (in.bad()) return Fail(ErrorCode::kDataLoss, "error reading witness file " + file.string());
  return checkpoints;
}

Result<Countersigned> GatherCountersigned(const Installation& installation) {
  Countersigned out;
  auto publisher = installation.WitnessPublisherOptions();
  if (!publisher) return out;
  ASSIGN_OR_RETURN(std::vector<witness::Cosignature> cosignatures,
                   witness::ReadCosignatureFile(publisher->cosignature_file));
  for (const witness::Cosignature& cosignature : cosignatures) {
    if (!witness::CosignatureValid(cosignature, publisher->witness_public_key)) {
      return Fail(ErrorCode::kDataLoss, "a cosignature in " + publisher->cosignature_file.string() +
                                            " is not the witness's (tree size " +
                                            std::to_string(cosignature.checkpoint.tree_size) + ")");
    }
    out.checkpoints.push_back(cosignature.checkpoint);
  }
  out.in_file = out.checkpoints.size();
  // Offline installations (no witness_url) hold only their file.
  if (!publisher->witness_url.empty()) {
    auto held = witness::FetchWitnessed(*publisher);
    out.witness_consulted = held.has_value();
    // Security: a witness that answers with a cosignature that does not
    // check (another key, a forgery) is evidence, not an outage.
    if (!held && held.error().code() == ErrorCode::kDataLoss) return Fail(held.error());
    if (!held) {
      std::fprintf(stderr, "vigie: warning: witness not consulted: %s\n",
                   held.error().message().c_str());
    } else if (*held) {
      out.checkpoints.push_back((*held)->checkpoint);
    }
  }
  for (const audit::Checkpoint& checkpoint : out.checkpoints) {
    out.largest_size = std::max(out.largest_size, checkpoint.tree_size);
  }
  return out;
}

}  // namespace vigie::cli
