#pragma once
// Calling the application's handler for one request: on a worker thread,
// with nothing it throws reaching the I/O loop, and counted in flight for
// as long as the request is served.
// Thread-safety: InvokeHandler is as safe as the handler; an InFlightRequest
// is its owner's alone (the registry it counts in is thread-safe).

#include <string_view>

#include "http/message.h"
#include "http/metrics.h"

namespace vigie::http::internal {

// The bare 500 a client gets when the handler failed.
Response InternalErrorProblem(std::string_view request_id);

// Security: an exception from application code becomes InternalErrorProblem;
// its text, which may quote request data, is not logged (DESIGN invariant 2).
Response InvokeHandler(const Handler& handler, const Request& request);

// A request in vigie_http_requests_in_flight for as long as it lives,
// however its coroutine ends (an exception in a response's headers too).
// `metrics` may be null: not counted.
class InFlightRequest {
 public:
  explicit InFlightRequest(MetricsRegistry* metrics) : metrics_(metrics) {
    if (metrics_ != nullptr) metrics_->RequestStarted();
  }
  InFlightRequest(const InFlightRequest&) = delete;
  InFlightRequest& operator=(const InFlightRequest&) = delete;
  ~InFlightRequest() {
    if (metrics_ != nullptr) metrics_->RequestFinished();
  }

 private:
  MetricsRegistry* metrics_;
};

}  // namespace vigie::http::internal
