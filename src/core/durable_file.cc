#include "core/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigie {

Result<void> AppendDurably(const std::filesystem::path& path, std::string_view text,
                           unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fdatasync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) {
    return Fail(ErrorCode::kUnavailable,
                "cannot append to " + path.string() + ": " + std::strerror(saved));
  }
  return {};
}

}  // namespace vigie
