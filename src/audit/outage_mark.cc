#include "audit/outage_mark.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "core/durable_file.h"
#include "core/regular_file.h"

namespace vigie::audit {
namespace {

// Twenty digits hold any uint64_t: every mark has the same length.
constexpr char kFormat[] =
    "failing_since_us=%020" PRId64 " refused_events=%020" PRIu64 " late_events=%020" PRIu64 "\n";
constexpr size_t kLength = 17 + 20 + 16 + 20 + 13 + 20 + 1;
// A mark written before late events were counted (an upgrade mid-outage).
constexpr size_t kLengthWithoutLate = kLength - 13 - 20;

std::unexpected<Error> SystemError(std::string_view what, const std::filesystem::path& path,
                                   int error) {
  return Fail(ErrorCode::kUnavailable,
              std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

// The number after `key` at the start of `text`, which then moves past it.
template <typename Integer>
bool TakeField(std::string_view& text, std::string_view key, Integer& value) {
  if (!text.starts_with(key)) return false;
  text.remove_prefix(key.size());
  const char* end = text.data() + std::min<size_t>(text.size(), 20);
  auto [next, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || next != end) return false;
  text.remove_prefix(20);
  return true;
}

}  // namespace

Result<void> WriteOutageMark(const std::filesystem::path& path, const OutageMark& mark,
                             bool sync_directory) {
  if (mark.failing_since_unix_micros < 0) {
    return Fail(ErrorCode::kInvalidArgument, "an outage cannot start before 1970");
  }
  char line[kLength + 1];
  const int length = std::snprintf(line, sizeof line, kFormat, mark.failing_since_unix_micros,
                                   mark.refused, mark.late);
  if (length != static_cast<int>(kLength)) {
    return Fail(ErrorCode::kInternal, "the outage mark's line has an unexpected length");
  }
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  // A FIFO or a link put there must not hang the log's writer, nor be written through.
  const Result<int> opened = OpenRegularFile(path, O_WRONLY | O_CREAT);
  if (!opened) return Fail(ErrorCode::kUnavailable, opened.error().message());
  const int fd = *opened;
  errno = EIO;  // what a short write without an error of its own reports
  bool ok = ::pwrite(fd, line, kLength, 0) == static_cast<ssize_t>(kLength) &&
            ::ftruncate(fd, kLength) == 0 && ::fdatasync(fd) == 0;
  const int saved = errno;
  // A mark left with an older outage's figures could be taken for that
  // outage's, recorded already; emptied, it still says an outage was under
  // way (ReadOutageMark: DataLoss). Best effort: not synced, a power cut
  // may bring the old figures back.
  if (!ok) (void)::ftruncate(fd, 0);
  ::close(fd);
  if (!ok) return SystemError("cannot write", path, saved);
  if ((!existed || sync_directory) && !SyncDirectoryOf(path))
    return SystemError("cannot sync the directory of", path, errno);
  return {};
}

Result<std::optional<OutageMark>> ReadOutageMark(const std::filesystem::path& path) {
  Result<int> opened = OpenRegularFile(path, O_RDONLY);
  if (!opened && opened.error().code() == ErrorCode::kNotFound) return std::optional<OutageMark>{};
  if (!opened && opened.error().code() == ErrorCode::kInvalidArgument) {
    return Fail(ErrorCode::kDataLoss, path.string() + " is not an audit outage mark");
  }
  if (!opened) return std::unexpected(opened.error());
  const int fd = *opened;
  char line[kLength + 1];
  const ssize_t got = ::pread(fd, line, sizeof line, 0);
  const int saved = errno;
  ::close(fd);
  if (got < 0) return SystemError("cannot read", path, saved);
  std::string_view text(line, static_cast<size_t>(got));
  OutageMark mark;
  const bool with_late = text.size() == kLength;
  if ((!with_late && text.size() != kLengthWithoutLate) ||
      !TakeField(text, "failing_since_us=", mark.failing_since_unix_micros) ||
      !TakeField(text, " refused_events=", mark.refused) ||
      (with_late && !TakeField(text, " late_events=", mark.late)) || text != "\n" ||
      mark.failing_since_unix_micros < 0) {
    return Fail(ErrorCode::kDataLoss, path.string() + " is not an audit outage mark");
  }
  return std::optional<OutageMark>(mark);
}

Result<void> RemoveOutageMark(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return SystemError("cannot remove", path, errno);
  }
  if (!SyncDirectoryOf(path)) return SystemError("cannot sync the directory of", path, errno);
  return {};
}

}  // namespace vigie::audit
