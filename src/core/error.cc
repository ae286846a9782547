#include "core/error.h"

namespace vigie {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "InvalidArgument";
    case ErrorCode::kUnauthenticated: return "Unauthenticated";
    case ErrorCode::kPermissionDenied: return "PermissionDenied";
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kConflict: return "Conflict";
    case ErrorCode::kResourceExhausted: return "ResourceExhausted";
    case ErrorCode::kUnavailable: return "Unavailable";
    case ErrorCode::kDataLoss: return "DataLoss";
    case ErrorCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Error::ToString() const {
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace vigie
