#include "core/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigie {

Result<int> OpenRegularFile(const std::filesystem::path& path, int flags, unsigned create_mode) {
  const int fd = ::open(path.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, create_mode);
  if (fd < 0) {
    if (errno == ENOENT) return Fail(ErrorCode::kNotFound, path.string() + " does not exist");
    // O_NOFOLLOW's answer for a link.
    if (errno == ELOOP) {
      return Fail(ErrorCode::kInvalidArgument, path.string() + " is a link, not a regular file");
    }
    // A directory opened for writing, a socket: refused before the check below.
    if (errno == EISDIR || errno == ENXIO) {
      return Fail(ErrorCode::kInvalidArgument, path.string() + " is not a regular file");
    }
    return Fail(ErrorCode::kUnavailable,
                "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct stat opened {};
  if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
    ::close(fd);
    return Fail(ErrorCode::kInvalidArgument, path.string() + " is not a regular file");
  }
  // Back to blocking reads: O_NONBLOCK was only there for the open.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

DescriptorStream::DescriptorStream(int fd) : std::istream(nullptr), buffer_(fd, std::ios::in) {
  rdbuf(&buffer_);
  // Not taken (fdopen failed): closed here, and the stream reads as failed,
  // not as an empty file.
  if (!buffer_.is_open()) {
    ::close(fd);
    setstate(std::ios::badbit);
  }
}

}  // namespace vigie
