#pragma once
// Appending to a file so that the bytes are on disk before the call returns:
// the witness file, the witness's store, the cosignature file - small
// append-only records whose loss would weaken what they attest.
//
// Thread-safety: reentrant; concurrent appends to one file interleave whole
// writes (O_APPEND) but callers should serialise them.
// Errors: Unavailable naming the file and the system's reason.

#include <filesystem>
#include <string_view>

#include "core/error.h"

namespace vigie {

// Appends `text` to `path` (created with `mode` if absent, its directory
// synced then) and fdatasyncs it. On failure nothing of `text` is left in
// the file: a short write is cut off.
Result<void> AppendDurably(const std::filesystem::path& path, std::string_view text,
                           unsigned mode = 0600);

}  // namespace vigie
