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

// A new file written in parts (a document too large to hold whole), then
// fsynced by Commit. Security: never through a symbolic link, never over an
// existing file (Create fails with Unavailable, the file untouched). Until
// Commit succeeds, the file is removed on any failure and on destruction: no
// truncated copy (disk full, a size limit) is left to be read as whole.
class NewDurableFile {
 public:
  static Result<NewDurableFile> Create(const std::filesystem::path& path, unsigned mode = 0600);
  NewDurableFile(NewDurableFile&& other) noexcept;
  NewDurableFile& operator=(NewDurableFile&&) = delete;
  ~NewDurableFile();

  Result<void> Append(std::string_view bytes);
  // fsync, then close. Nothing may be appended after.
  Result<void> Commit();

  const std::filesystem::path& path() const { return path_; }
  bool committed() const { return committed_; }

 private:
  NewDurableFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  Result<void> Abandon(int error);

  std::filesystem::path path_;
  int fd_ = -1;  // -1 once committed or abandoned
  bool committed_ = false;
};

// A NewDurableFile holding `content`, committed.
Result<void> WriteNewFileDurably(const std::filesystem::path& path, std::string_view content,
                                 unsigned mode = 0600);

}  // namespace vigie
