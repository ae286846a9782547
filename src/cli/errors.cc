#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"

namespace vigie::cli {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kNotFound: return 3;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied: return 4;
    case ErrorCode::kConflict: return 5;
    case ErrorCode::kResourceExhausted:
    case ErrorCode::kUnavailable: return 6;
    case ErrorCode::kDataLoss: return 7;
    case ErrorCode::kInternal: return 1;
  }
  return 1;
}

Error CannotRead(int err, const std::filesystem::path& file) {
  const std::string message = "cannot read " + file.string() + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Error(ErrorCode::kNotFound, message);
    case EACCES:
    case EPERM:
      return Error(ErrorCode::kPermissionDenied, message);
    // A path no retry will open (a link loop, a name too long): the path to mend.
    case ELOOP:
    case ENAMETOOLONG:
      return Error(ErrorCode::kInvalidArgument, message);
    default:  // EIO, EMFILE: maybe passing
      return Error(ErrorCode::kUnavailable, message);
  }
}

int ReportError(const Error& error) {
  std::fprintf(stderr, "vigie: %s\n", error.message().c_str());
  return ExitCodeFor(error.code());
}

}  // namespace vigie::cli
