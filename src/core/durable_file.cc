#include "core/durable_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <utility>

#include "core/regular_file.h"

namespace vigie {
bool SyncDirectoryOf(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

namespace {

// Closes a descriptor (releasing its flock) on every way out.
struct ClosedAtEnd {
  int fd;
  ~ClosedAtEnd() { ::close(fd); }
};

bool ReadAt(int fd, std::span<char> into, off_t at) {
  while (!into.empty()) {
    const ssize_t n = ::pread(fd, into.data(), into.size(), at);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    into = into.subspan(static_cast<size_t>(n));
    at += n;
  }
  return true;
}

}  // namespace

Result<LastLine> MendLastLine(const std::filesystem::path& path,
                              const std::function<bool(std::string_view)>& whole) {
  // Read-only until a mend is needed: a file the operator made append-only
  // (chattr +a) is still checked, and appended to when whole.
  // Security (O_NOFOLLOW, here and below): these are Vigie's own files; a
  // link put in one's place must not have Vigie cut or append to its target.
  Result<int> opened = OpenRegularFile(path, O_RDONLY);
  if (!opened && opened.error().code() == ErrorCode::kNotFound) {
    return LastLine::kWhole;  // not written yet
  }
  if (!opened && opened.error().code() == ErrorCode::kInvalidArgument) {
    return Fail(ErrorCode::kUnavailable, "cannot mend " + path.string() + ": not a file");
  }
  if (!opened) return Fail(ErrorCode::kUnavailable, opened.error().message());
  const int fd = *opened;
  const ClosedAtEnd closed{fd};
  auto failed = [&](std::string_view what) {
    return Fail(ErrorCode::kUnavailable,
                std::string(what) + " " + path.string() + ": " + std::strerror(errno));
  };
  // Security: other processes append to the same file (AppendDurably takes
  // the same lock): a line being written is not one to cut.
  struct stat st {};
  if (::flock(fd, LOCK_EX) != 0 || ::fstat(fd, &st) != 0) return failed("cannot lock");
  const off_t size = st.st_size;
  char last = '\n';
  if (size > 0 && !ReadAt(fd, {&last, 1}, size - 1)) return failed("cannot read");
  if (last == '\n') return LastLine::kWhole;  // empty, or ends with a whole line
  constexpr off_t kTail = 64 * 1024;
  const off_t from = size > kTail ? size - kTail : 0;
  std::string tail(static_cast<size_t>(size - from), '\0');
  if (!ReadAt(fd, tail, from)) return failed("cannot read");
  const size_t start = tail.rfind('\n');
  if (start == std::string::npos && from > 0) {
    return Fail(ErrorCode::kDataLoss, path.string() + ": its last line is too long to be one");
  }
  const size_t last_size = start == std::string::npos ? tail.size() : tail.size() - start - 1;
  const bool completed = whole(std::string_view(tail).substr(tail.size() - last_size));
  // Still under the lock, which stays with `fd`.
  const Result<int> writer_opened = OpenRegularFile(path, O_WRONLY | (completed ? O_APPEND : 0));
  if (!writer_opened) return failed(completed ? "cannot complete" : "cannot cut the last line of");
  const int writer = *writer_opened;
  const ClosedAtEnd closed_writer{writer};
  const bool mended = completed ? ::write(writer, "\n", 1) == 1
                                : ::ftruncate(writer, size - static_cast<off_t>(last_size)) == 0;
  if (!mended || ::fdatasync(writer) != 0) {
    return failed(completed ? "cannot complete" : "cannot cut the last line of");
  }
  return completed ? LastLine::kCompleted : LastLine::kCut;
}

bool WrittenWholeJson(std::string_view line) {
  boost::system::error_code ec;
  boost::json::parse(line, ec);
  return !ec;
}

Result<void> AppendDurably(const std::filesystem::path& path, std::string_view text, unsigned mode,
                           Writers writers) {
  // A FIFO put in the file's place must not hang the writer (the audit
  // log's, for the witness file); anything but a file is refused.
  const Result<int> opened = OpenRegularFile(path, O_WRONLY | O_APPEND | O_CREAT, mode);
  if (!opened && opened.error().code() == ErrorCode::kInvalidArgument) {
    return Fail(ErrorCode::kUnavailable, "cannot append to " + path.string() + ": not a file");
  }
  if (!opened) return Fail(ErrorCode::kUnavailable, opened.error().message());
  const int fd = *opened;
  // One writer at a time, across processes (a server and a command closing
  // with a checkpoint): the cut below, and MendLastLine's, must only ever
  // meet a line its own writer left.
  if (writers == Writers::kShared && ::flock(fd, LOCK_EX) != 0) {
    const int saved = errno;
    ::close(fd);
    return Fail(ErrorCode::kUnavailable,
                "cannot lock " + path.string() + ": " + std::strerror(saved));
  }
  const off_t size_before = ::lseek(fd, 0, SEEK_END);
  bool ok = size_before >= 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fdatasync(fd) == 0;
  // The first record of a file (new, or left empty by a failure) needs its
  // directory entry durable too; until it is, the record is not kept.
  bool directory_synced = true;
  if (ok && size_before == 0) ok = directory_synced = SyncDirectoryOf(path);
  const int saved = errno;
  bool cut = true;
  if (!ok && size_before >= 0) {
    // A short write (disk full, a size limit) left part of a record: cut it
    // off, or the next append would glue onto it and make one unreadable
    // line in the middle of the file. The caller was told nothing was kept.
    cut = ::ftruncate(fd, size_before) == 0;
    if (cut) (void)::fdatasync(fd);
  }
  ::close(fd);
  if (!cut) {
    // Not "nothing kept": what was written may stay (an append-only file
    // refuses the cut), and only the caller knows how to mend it.
    return Fail(ErrorCode::kDataLoss, "cannot append to " + path.string() + " (" +
                                          std::strerror(saved) +
                                          "), nor cut off what was written of the record");
  }
  if (!directory_synced) {
    return Fail(ErrorCode::kUnavailable,
                "cannot sync the directory of " + path.string() + ": " + std::strerror(saved));
  }
  if (!ok) {
    return Fail(ErrorCode::kUnavailable,
                "cannot append to " + path.string() + ": " + std::strerror(saved));
  }
  return {};
}

Result<NewDurableFile> NewDurableFile::Create(const std::filesystem::path& path, unsigned mode) {
  struct stat existing;
  if (::lstat(path.c_str(), &existing) == 0) {
    return Fail(ErrorCode::kUnavailable, "cannot create " + path.string() + ": it exists already");
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  int fd = ::open(dir.c_str(), O_WRONLY | O_TMPFILE | O_CLOEXEC, mode);
  if (fd >= 0) return NewDurableFile(path, fd, /*named=*/false);
  if (errno != EOPNOTSUPP && errno != EISDIR) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create " + path.string() + ": " + std::strerror(errno));
  }
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot create " + path.string() + ": " + std::strerror(errno));
  }
  return NewDurableFile(path, fd, /*named=*/true);
}

NewDurableFile::NewDurableFile(NewDurableFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      named_(other.named_),
      committed_(other.committed_) {}

NewDurableFile::~NewDurableFile() { Discard(); }

void NewDurableFile::Discard() noexcept {
  if (fd_ < 0) return;
  ::close(std::exchange(fd_, -1));
  if (named_) ::unlink(path_.c_str());  // ours: O_EXCL created it
}

std::unexpected<Error> NewDurableFile::Abandon(int error) {
  Discard();
  return Fail(ErrorCode::kUnavailable,
              "cannot write " + path_.string() + ": " + std::strerror(error != 0 ? error : EIO));
}

Result<void> NewDurableFile::Append(std::string_view bytes) {
  if (fd_ < 0) return Fail(ErrorCode::kInternal, path_.string() + " is closed");
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Abandon(n < 0 ? errno : EIO);
    written += static_cast<size_t>(n);
  }
  return {};
}

Result<void> NewDurableFile::Commit() {
  if (fd_ < 0) return Fail(ErrorCode::kInternal, path_.string() + " is closed");
  if (::fsync(fd_) != 0) return Abandon(errno);
  if (!named_) {
    if (const int error = LinkUnnamedFile(fd_, path_); error != 0) return Abandon(error);
    named_ = true;
  }
  if (::close(std::exchange(fd_, -1)) != 0 || !SyncDirectoryOf(path_)) {
    const int error = errno;
    ::unlink(path_.c_str());
    return Abandon(error);
  }
  committed_ = true;
  return {};
}

Result<void> CommitAll(std::span<NewDurableFile> files) {
  for (NewDurableFile& file : files) {
    if (Result<void> committed = file.Commit(); !committed) {
      for (const NewDurableFile& done : files) {
        if (done.committed()) ::unlink(done.path().c_str());
      }
      for (const NewDurableFile& done : files) {
        if (done.committed()) SyncDirectoryOf(done.path());
      }
      return committed;
    }
  }
  return {};
}

int LinkUnnamedFile(int fd, const std::filesystem::path& path) {
  // linkat never replaces: EEXIST if a file (or a link) took the name.
  // AT_EMPTY_PATH needs a capability; /proc's link to the descriptor does not.
  if (::linkat(fd, "", AT_FDCWD, path.c_str(), AT_EMPTY_PATH) == 0) return 0;
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return 0;
  return errno;
}

Result<void> WriteNewFileDurably(const std::filesystem::path& path, std::string_view content,
                                 unsigned mode) {
  ASSIGN_OR_RETURN(NewDurableFile file, NewDurableFile::Create(path, mode));
  RETURN_IF_ERROR(file.Append(content));
  return file.Commit();
}

}  // namespace vigie
