#include "cli/installation_lease.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vigie::cli {

Result<InstallationLease> InstallationLease::Take(const std::filesystem::path& data_dir,
                                                  Kind kind) {
  const std::filesystem::path path =
      data_dir / (kind == Kind::kChangingKeys ? "keys.lock" : "serve.lock");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno == ENOENT) {
    return Fail(ErrorCode::kNotFound, "no installation in " + data_dir.string() +
                                          " (run `vigie init` first, or pass --data-dir)");
  }
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  const int operation = (kind == Kind::kServing ? LOCK_SH : LOCK_EX) | LOCK_NB;
  int locked = 0;
  do {
    locked = ::flock(fd, operation);
  } while (locked != 0 && errno == EINTR);
  if (locked == 0) return InstallationLease(fd);
  const int error = errno;
  ::close(fd);
  if (error != EWOULDBLOCK) {
    return Fail(ErrorCode::kUnavailable,
                "cannot lock " + path.string() + ": " + std::strerror(error));
  }
  switch (kind) {
    case Kind::kServing:
      return Fail(ErrorCode::kConflict, "`vigie migrate-store` is moving this installation");
    case Kind::kMoving:
      return Fail(ErrorCode::kConflict,
                  "`vigie serve` is running on this installation, or another vigie command: "
                  "stop it first");
    case Kind::kChangingKeys:
      break;
  }
  return Fail(ErrorCode::kConflict,
              "another `vigie keys` command is changing the key file: run this one after it");
}

InstallationLease::InstallationLease(InstallationLease&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

InstallationLease& InstallationLease::operator=(InstallationLease&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

InstallationLease::~InstallationLease() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace vigie::cli
