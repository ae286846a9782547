#pragma once
// Writing files so that the bytes are on disk before the call returns: the
// witness file, the witness's store, the cosignature file - small
// append-only records whose loss would weaken what they attest - and the
// new files a report leaves for its reader.
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

// Creates `path` with `mode` and writes `content` to it, fsynced. Security:
// never through a symbolic link, never over an existing file (Unavailable,
// the file untouched). On a failure after creating it (disk full, a size
// limit) the file is removed: no truncated copy is left to be read as whole.
Result<void> WriteNewFileDurably(const std::filesystem::path& path, std::string_view content,
                                 unsigned mode = 0600);

}  // namespace vigie
