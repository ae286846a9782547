#include "session/proof_watermark.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>

#include "core/durable_file.h"

namespace vigie::session {
namespace {

constexpr std::string_view kServing = "serving";
constexpr std::string_view kStopped = "stopped ";
// Only the last record counts; the file grows by two short lines a start.
constexpr off_t kTailBytes = 4096;

// The file's last line; nullopt when there is no file, empty when the file
// does not end a line (which matches no record: the cautious outcome).
Result<std::optional<std::string>> LastLine(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return std::optional<std::string>();
  auto unreadable = [&](int error) {
    return Fail(ErrorCode::kUnavailable,
                "cannot read " + file.string() + ": " + std::strerror(error));
  };
  if (fd < 0) return unreadable(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return unreadable(error);
  }
  const off_t from = std::max<off_t>(0, st.st_size - kTailBytes);
  std::string tail(static_cast<size_t>(st.st_size - from), '\0');
  size_t used = 0;
  while (used < tail.size()) {
    const ssize_t n =
        ::pread(fd, tail.data() + used, tail.size() - used, from + static_cast<off_t>(used));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return unreadable(error);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  tail.resize(used);
  // A line cut short (a crash in the middle of an append) is no record.
  if (tail.empty() || tail.back() != '\n') return std::optional<std::string>(std::string());
  tail.pop_back();
  const size_t start = tail.rfind('\n');
  return std::optional<std::string>(start == std::string::npos ? tail : tail.substr(start + 1));
}

std::optional<int64_t> StoppedAt(std::string_view line) {
  if (!line.starts_with(kStopped)) return std::nullopt;
  line.remove_prefix(kStopped.size());
  int64_t iat = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), iat);
  if (error != std::errc() || end != line.data() + line.size()) return std::nullopt;
  return iat;
}

}  // namespace

Result<ProofWatermark> ProofWatermark::Open(const std::filesystem::path& data_dir, int64_t now,
                                            int64_t max_future_seconds) {
  const std::filesystem::path file = data_dir / kFileName;
  ASSIGN_OR_RETURN(std::optional<std::string> last, LastLine(file));
  // Past every proof a process that stopped at `now` at the latest could
  // have accepted: it allowed iat up to its clock + max_future_seconds.
  const int64_t after_any = now + max_future_seconds + 1;
  int64_t accept_from = now;
  std::string_view reason;
  if (last.has_value()) {
    if (std::optional<int64_t> stopped = StoppedAt(*last)) {
      accept_from = std::max(now, *stopped + 1);
      if (accept_from > after_any) {
        accept_from = after_any;
        reason = "the clock is behind the latest proof the previous process accepted";
      } else if (accept_from > now) {
        reason = "the previous process accepted proofs dated ahead of this clock";
      }
    } else {
      accept_from = after_any;
      reason = "the previous process did not record its stop (a crash or a kill)";
    }
  }
  RETURN_IF_ERROR(AppendDurably(file, std::string(kServing) + "\n"));
  return ProofWatermark(file, accept_from, reason);
}

Result<void> ProofWatermark::RecordStop(int64_t latest_accepted_iat) {
  const int64_t latest = std::max(latest_accepted_iat, accept_from_ - 1);
  return AppendDurably(file_, std::string(kStopped) + std::to_string(latest) + "\n");
}

}  // namespace vigie::session
