#pragma once
// How far a node's detection has judged the events it wrote
// (detection_judged, migration 12): every event the node's server recorded
// numbered below `next_sequence` was judged, as of `written_at`. A node starting again
// judges its events from there on (app/detection_catch_up.h).
//
// Thread-safety: one thread at a time, like its Connection.
// Errors: store errors.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace vigie::detect {

struct JudgedMark {
  uint64_t next_sequence = 0;
  int64_t written_at_unix_micros = 0;
};

// Nullopt when the node never wrote one (or it was forgotten).
Result<std::optional<JudgedMark>> ReadJudgedMark(store::Connection& db, std::string_view node_id);
// Sets the node's mark, lower or higher (one process writes it: the node's
// claim on a shared database, the installation's lease on SQLite).
Result<void> WriteJudgedMark(store::Connection& db, std::string_view node_id,
                             const JudgedMark& mark);
// For a node whose detection is off: what it writes meanwhile is never judged.
Result<void> ForgetJudgedMark(store::Connection& db, std::string_view node_id);

}  // namespace vigie::detect
