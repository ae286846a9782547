#pragma once
// The Error for a failed file system call on a key or certificate file:
// the errno's meaning as an ErrorCode, the call and the path in the message.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::crypto::internal {

inline Error FileError(int err, std::string_view what, const std::filesystem::path& path) {
  std::string msg = std::string(what) + " '" + path.string() + "': " + std::strerror(err);
  switch (err) {
    case EEXIST:
      return Error(ErrorCode::kConflict, std::move(msg));
    case ENOENT:
    case ENOTDIR:
      return Error(ErrorCode::kNotFound, std::move(msg));
    case EACCES:
    case EPERM:
    case EROFS:
      return Error(ErrorCode::kPermissionDenied, std::move(msg));
    default:
      return Error(ErrorCode::kInternal, std::move(msg));
  }
}

}  // namespace vigie::crypto::internal
