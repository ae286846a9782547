#pragma once
// OutageMark: an audit log outage remembered outside the log's database, so
// that a restart (a crash, a kill, an operator's) in the middle of an
// outage does not erase it. The writer writes the mark before it answers
// each refused batch, after a batch whose callers it answered too late,
// and when it counts refusals of its full queue; it removes the mark once
// the `audit_log_resumed` event that records the outage is durable. A
// writer that opens with a mark present records the outage first, as if it
// had lived through it - unless the log holds that record already (a stop
// between the record's commit and the mark's removal).
//
// The file is one fixed-width line, rewritten in place, so updating it needs
// no new disk block: a full disk that fails the database may still take it.
//
// Thread-safety: reentrant; one writer per file.
// Errors: Unavailable naming the file and the system's reason; DataLoss
// when the file holds something else than a mark.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "core/error.h"

namespace vigie::audit {

struct OutageMark {
  int64_t failing_since_unix_micros = 0;  // the outage's first refusal
  uint64_t refused = 0;                   // events refused so far
  uint64_t late = 0;                      // events durable after their callers were refused
  bool operator==(const OutageMark&) const = default;
};

// Creates or overwrites the mark, then fdatasyncs it, and its directory when
// created or `sync_directory` (the previous write failed, maybe at that
// sync). A write that fails empties the file. Never through a symbolic link.
Result<void> WriteOutageMark(const std::filesystem::path& path, const OutageMark& mark,
                             bool sync_directory = false);

// The mark at `path`; nullopt when there is none.
Result<std::optional<OutageMark>> ReadOutageMark(const std::filesystem::path& path);

// Removes the mark (and syncs its directory); no mark is no error.
Result<void> RemoveOutageMark(const std::filesystem::path& path);

}  // namespace vigie::audit
