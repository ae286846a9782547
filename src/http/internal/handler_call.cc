#include "http/internal/handler_call.h"

#include "core/log.h"
#include "http/problem.h"

namespace vigie::http::internal {

Response InternalErrorProblem(std::string_view request_id) {
  return ProblemFor(Error(ErrorCode::kInternal, "handler failed"), request_id);
}

Response InvokeHandler(const Handler& handler, const Request& request) {
  try {
    return handler(request);
  } catch (...) {
    Log(LogLevel::kError, "http_handler_exception", {{"request_id", request.request_id}});
    return InternalErrorProblem(request.request_id);
  }
}

}  // namespace vigie::http::internal
