#pragma once
// What the command line holds a log to besides its own checkpoints: the
// witness file the log writes its checkpoints to, and what the witness
// countersigned (its cosignature file, and the witness itself when it can be
// reached). Shared by `vigie audit verify` and `vigie migrate-store`'s
// verification pass, so both hold a log to the same evidence.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "audit/audit.h"
#include "cli/installation.h"
#include "core/error.h"

namespace vigie::cli {

// The checkpoints of a witness file. `named`: given on the command line, so
// it must exist (a typo or a lost copy must not pass as "nothing to compare
// with"); otherwise only a file not written yet is taken for none.
Result<std::vector<audit::Checkpoint>> ReadWitnessFile(const std::filesystem::path& file,
                                                       bool named);

// What the witness countersigned: the cosignature file's entries (each
// checked against the witness's key) and, when it can be reached, what the
// witness holds now - its copy survives whoever deletes the local files.
struct Countersigned {
  std::vector<audit::Checkpoint> checkpoints;
  size_t in_file = 0;
  uint64_t largest_size = 0;
  bool witness_consulted = false;
};

Result<Countersigned> GatherCountersigned(const Installation& installation);

}  // namespace vigie::cli
