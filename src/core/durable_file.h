#pragma once
// Writing files so that the bytes are on disk before the call returns: the
// witness file, the witness's store, the cosignature file - small
// append-only records whose loss would weaken what they attest - and the
// new files a report leaves for its reader.
//
// Thread-safety: reentrant; concurrent appends to one file interleave whole
// writes (O_APPEND) but callers should serialise them. A NewDurableFile is
// used by one thread at a time.
// Errors: Unavailable naming the file and the system's reason; Internal for
// a NewDurableFile used after Commit or a failure.

#include <filesystem>
#include <functional>
#include <span>
#include <string_view>

#include "core/error.h"

namespace vigie {

// Appends `text` to `path` (created with `mode` if absent, its directory
// synced then) and fdatasyncs it. On failure nothing of `text` is left in
// the file: a short write is cut off (DataLoss when the cut itself fails:
// part of `text` may stay). Unavailable, without waiting, when
// `path` is not a regular file (a FIFO, a device).
// kShared: for a file other processes append to as well (the witness and
// cosignature files: a server and a command beside it): taken under an
// exclusive flock, as MendLastLine does, so that neither cut meets a line
// another writer has under way. Not for a file the caller holds a flock on
// through another descriptor (it would wait for itself).
enum class Writers { kOne, kShared };
Result<void> AppendDurably(const std::filesystem::path& path, std::string_view text,
                           unsigned mode = 0600, Writers writers = Writers::kOne);

// A new file written in parts (a document too large to hold whole). It is
// written unnamed (O_TMPFILE) and given its name by Commit, after an fsync,
// then its directory is synced: a crash, a kill, a full disk or a size limit
// before that leaves nothing at `path` - no truncated copy to be read as
// whole, nor a file that blocks the next attempt. (On a file system without
// unnamed files, the file has its name from Create and is removed on any
// failure or on destruction, but not after a kill.)
// Security: never through a symbolic link, never over an existing file
// (Create fails with Unavailable when `path` exists; Commit too, should it
// appear meanwhile: the existing file is left untouched).
class NewDurableFile {
 public:
  static Result<NewDurableFile> Create(const std::filesystem::path& path, unsigned mode = 0600);
  NewDurableFile(NewDurableFile&& other) noexcept;
  NewDurableFile& operator=(NewDurableFile&&) = delete;
  ~NewDurableFile();

  Result<void> Append(std::string_view bytes);
  // fsync, name the file, close, sync its directory. Nothing may be appended
  // after.
  Result<void> Commit();

  const std::filesystem::path& path() const { return path_; }
  bool committed() const { return committed_; }

 private:
  NewDurableFile(std::filesystem::path path, int fd, bool named)
      : path_(std::move(path)), fd_(fd), named_(named) {}
  // Closes the file and removes it (if it has a name yet). Never throws.
  void Discard() noexcept;
  // Discard, then the error for `error` (an errno value; 0 for EIO).
  std::unexpected<Error> Abandon(int error);

  std::filesystem::path path_;
  int fd_ = -1;  // -1 once committed or abandoned
  bool named_ = false;  // the file is at `path_` already
  bool committed_ = false;
};

// For a file of lines appended by AppendDurably (kShared: this takes the
// same lock), which a crash may have left
// with its last line cut short: when the last line lacks its newline, it is
// completed if `whole` accepts it, or else cut off (then appending would
// have glued the next line to it). Nothing to do for an absent or empty
// file. DataLoss when no line start is found in the last 64 KiB.
enum class LastLine { kWhole, kCompleted, kCut };
Result<LastLine> MendLastLine(const std::filesystem::path& path,
                              const std::function<bool(std::string_view)>& whole);

// For files of JSON lines, MendLastLine's `whole`: a last line without its
// newline was written whole when it is JSON (a line a crash cut short ends
// before its closing brace). One that is JSON but not the record expected
// is damage, kept for whoever checks the file to find, never cut.
bool WrittenWholeJson(std::string_view line);

// Commits `files` in order, all or none: should one fail, those committed
// before it are removed again (their directory synced), the rest discarded,
// and its error returned. Not atomic against a crash in between.
Result<void> CommitAll(std::span<NewDurableFile> files);

// Gives the unnamed file open as `fd` (O_TMPFILE, without O_EXCL) the name
// `path`. Never replaces anything there, not even a link (EEXIST). Returns 0,
// or the errno of the failure.
int LinkUnnamedFile(int fd, const std::filesystem::path& path);

// Makes a new or removed name in `path`'s directory durable (a file's own
// fdatasync does not): fsyncs the directory. False, with errno set, on failure.
bool SyncDirectoryOf(const std::filesystem::path& path);

// A NewDurableFile holding `content`, committed.
Result<void> WriteNewFileDurably(const std::filesystem::path& path, std::string_view content,
                                 unsigned mode = 0600);

}  // namespace vigie
