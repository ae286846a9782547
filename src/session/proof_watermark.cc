#include "session/proof_watermark.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "core/clock.h"
#include "core/durable_file.h"
#include "session/replay_cache.h"

namespace vigie::session {
namespace {

constexpr std::string_view kServing = "serving";
constexpr std::string_view kInitialised = "initialised";
// A stop recorded further ahead of this clock is no record of this clock's
// world (and could overflow): judged as no record.
constexpr int64_t kLargestClockStepBack = 86'400;
constexpr std::string_view kStopped = "stopped ";
constexpr std::string_view kAcceptedUpTo = "accepted-up-to ";
// Only the last record counts; the file grows by two short lines a start.
constexpr off_t kTailBytes = 4096;

// The file's last line; empty when the file is (created by the lock: no
// record, as after an upgrade or a removal) or does not end a line (a torn
// append): neither matches a record, which is the cautious outcome.
Result<std::string> LastLine(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
  if (tail.empty() || tail.back() != '\n') return std::string();
  tail.pop_back();
  const size_t start = tail.rfind('\n');
  return start == std::string::npos ? tail : tail.substr(start + 1);
}

// The iat a line "<prefix><iat>" holds, if it is one.
std::optional<int64_t> IatAfter(std::string_view prefix, std::string_view line) {
  if (!line.starts_with(prefix)) return std::nullopt;
  line.remove_prefix(prefix.size());
  int64_t iat = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), iat);
  if (error != std::errc() || end != line.data() + line.size()) return std::nullopt;
  return iat;
}

// Waits up to `patience` for the other serving process (draining its last
// requests) to let go of the file; Conflict if it does not. `waited`: for
// how long, if at all.
Result<int> LockFile(const std::filesystem::path& file, std::chrono::seconds patience,
                     std::chrono::steady_clock::duration& waited) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot open " + file.string() + ": " + std::strerror(errno));
  }
  const auto asked = std::chrono::steady_clock::now();
  const auto give_up = asked + patience;
  bool held_by_another = false;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EINTR) continue;
    if (error != EWOULDBLOCK || std::chrono::steady_clock::now() >= give_up) {
      ::close(fd);
      if (error != EWOULDBLOCK) {
        return Fail(ErrorCode::kUnavailable,
                    "cannot lock " + file.string() + ": " + std::strerror(error));
      }
      return Fail(ErrorCode::kConflict, "another `vigie serve` is running on this installation (" +
                                            file.string() +
                                            " is held): on SQLite one process serves it");
    }
    held_by_another = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  waited = held_by_another ? std::chrono::steady_clock::now() - asked
                           : std::chrono::steady_clock::duration::zero();
  return fd;
}

}  // namespace

Result<void> ProofWatermark::RecordInitialised(const std::filesystem::path& data_dir) {
  return AppendDurably(data_dir / kFileName, std::string(kInitialised) + "\n");
}

Result<ProofWatermark> ProofWatermark::Judge(const std::filesystem::path& data_dir,
                                             const Clock& clock, int64_t max_future_seconds,
                                             std::chrono::seconds patience) {
  const std::filesystem::path file = data_dir / kFileName;
  int64_t now = UnixSeconds(clock.Now());
  // Read only once no other process can append: a predecessor still
  // draining would otherwise write its stop after our start.
  std::chrono::steady_clock::duration waited{};
  ASSIGN_OR_RETURN(const int fd, LockFile(file, patience, waited));
  ProofWatermark mark(file, fd, max_future_seconds);
  // Security: the predecessor accepted proofs while we waited; if it then
  // died without a stop, only a time after the wait is past them all: the
  // time waited added to `now`, or the clock read again if it went further
  // (set forward meanwhile).
  if (waited > std::chrono::steady_clock::duration::zero()) {
    now = std::max(now + std::chrono::ceil<std::chrono::seconds>(waited).count(),
                   UnixSeconds(clock.Now()));
  }
  ASSIGN_OR_RETURN(std::string last, LastLine(file));
  // Past every proof a process that stopped at `now` at the latest could
  // have accepted: it allowed iat up to its clock + max_future_seconds.
  const int64_t after_any = AcceptFrom(now, max_future_seconds);
  mark.after_any_ = after_any;
  if (last == kInitialised) {
    mark.accept_from_ = now;  // never served: no proof to replay
  } else if (std::optional<int64_t> stopped = IatAfter(kStopped, last);
             stopped && *stopped <= now + kLargestClockStepBack) {
    mark.accept_from_ = std::max(now, *stopped + 1);
    mark.accepted_up_to_ = *stopped;
    if (mark.accept_from_ > after_any) {
      mark.wait_reason_ = "the clock is behind the latest proof the previous process accepted";
    } else if (mark.accept_from_ > now) {
      mark.wait_reason_ = "the previous process accepted proofs dated ahead of this clock";
    }
  } else if (std::optional<int64_t> accepted = IatAfter(kAcceptedUpTo, last);
             accepted && *accepted <= now + kLargestClockStepBack) {
    mark.accept_from_ = std::max(after_any, *accepted + 1);
    mark.accepted_up_to_ = mark.accept_from_ - 1;
    mark.wait_reason_ =
        "the previous process recorded no stop, after its clock was set back behind proofs it "
        "had accepted";
  } else {
    mark.accept_from_ = after_any;
    mark.accepted_up_to_ = after_any - 1;
    mark.wait_reason_ =
        "the previous process recorded no stop (a crash, a kill, a failed start, or a release "
        "before this record)";
  }
  return mark;
}

Result<int64_t> ProofWatermark::AcceptedUpTo(const std::filesystem::path& data_dir,
                                             const Clock& clock, int64_t max_future_seconds,
                                             std::chrono::seconds patience) {
  ASSIGN_OR_RETURN(const ProofWatermark mark, Judge(data_dir, clock, max_future_seconds, patience));
  return mark.accepted_up_to_;
}

Result<ProofWatermark> ProofWatermark::Open(const std::filesystem::path& data_dir,
                                            const Clock& clock, int64_t max_future_seconds,
                                            std::chrono::seconds patience) {
  ASSIGN_OR_RETURN(ProofWatermark mark, Judge(data_dir, clock, max_future_seconds, patience));
  std::string record = std::string(kServing) + "\n";
  // A floor further ahead than this clock's own (a clock set back) must
  // outlive this process too, should it die without a stop.
  if (mark.accept_from_ > mark.after_any_) {
    mark.noted_up_to_ = mark.accept_from_ - 1;
    record += std::string(kAcceptedUpTo) + std::to_string(mark.noted_up_to_) + "\n";
  }
  RETURN_IF_ERROR(AppendDurably(mark.file_, record));
  return mark;
}

ProofWatermark::ProofWatermark(ProofWatermark&& other) noexcept
    : file_(std::move(other.file_)),
      fd_(std::exchange(other.fd_, -1)),
      max_future_seconds_(other.max_future_seconds_),
      accept_from_(other.accept_from_),
      noted_up_to_(other.noted_up_to_),
      accepted_up_to_(other.accepted_up_to_),
      after_any_(other.after_any_),
      wait_reason_(other.wait_reason_) {}

ProofWatermark::~ProofWatermark() {
  if (fd_ >= 0) ::close(fd_);
}

Result<bool> ProofWatermark::NoteClock(int64_t latest_accepted_iat, int64_t now) {
  if (latest_accepted_iat <= noted_up_to_ || latest_accepted_iat <= now + max_future_seconds_) {
    return false;
  }
  RETURN_IF_ERROR(AppendDurably(
      file_, std::string(kAcceptedUpTo) + std::to_string(latest_accepted_iat) + "\n"));
  noted_up_to_ = latest_accepted_iat;
  return true;
}

Result<void> ProofWatermark::RecordStop(int64_t latest_accepted_iat) {
  const int64_t latest = std::max(latest_accepted_iat, accept_from_ - 1);
  return AppendDurably(file_, std::string(kStopped) + std::to_string(latest) + "\n");
}

}  // namespace vigie::session
