#include "http/internal/request_head.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/url/parse.hpp>
#include <iterator>
#include <string>

#include "http/problem.h"

namespace vigie::http::internal {
namespace {

namespace bhttp = boost::beast::http;

std::string ToString(boost::beast::string_view s) { return std::string(s.data(), s.size()); }

// A field value without its surrounding blanks.
std::string_view Trimmed(boost::beast::string_view raw) {
  std::string_view value(raw.data(), raw.size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

bool IsParseError(const boost::system::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

std::optional<Response> ProblemForReadError(const boost::system::error_code& ec,
                                            const Request& request, ReadFailure failure) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    if (!failure.request_line_read) {
      return Problem(414, StatusPhrase(414), "The request target is too long.", request.request_id);
    }
    return Problem(431, StatusPhrase(431), "The request headers are too large.",
                   request.request_id);
  }
  if (ec == bhttp::error::body_limit && failure.upload_place_taken) {
    Response busy =
        ProblemFor(Error(ErrorCode::kUnavailable, "upload places taken"), request.request_id,
                   "other uploads are being handled; send the file again shortly");
    busy.headers.emplace_back("Retry-After", "5");
    return busy;
  }
  if (ec == bhttp::error::body_limit) {
    return Problem(413, StatusPhrase(413), "The request body is too large.", request.request_id);
  }
  if (IsParseError(ec) && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return Problem(400, StatusPhrase(400), "The request is not valid HTTP/1.1.",
                   request.request_id);
  }
  return std::nullopt;
}

bool IsOriginForm(std::string_view target) {
  return boost::urls::parse_origin_form(target).has_value();
}

bool FramedOnlyByUs(const RequestHead& head) {
  auto codings = head.equal_range(bhttp::field::transfer_encoding);
  if (codings.first == codings.second) return true;
  if (head.version() < 11 || std::next(codings.first) != codings.second) return false;
  return boost::beast::iequals(Trimmed(codings.first->value()), "chunked");
}

bool WaitsForContinue(const RequestHead& head) {
  auto expect = head.equal_range(bhttp::field::expect);
  if (head.version() < 11 || expect.first == expect.second ||
      std::next(expect.first) != expect.second) {
    return false;
  }
  return boost::beast::iequals(Trimmed(expect.first->value()), "100-continue");
}

bool WantsUploadLimit(const ServerOptions& options, std::string_view target,
                      std::optional<uint64_t> content_length) {
  if (options.max_upload_bytes <= options.max_body_bytes) return false;
  if (content_length && *content_length <= options.max_body_bytes) return false;
  const std::string_view path = target.substr(0, target.find('?'));
  return std::find(options.upload_paths.begin(), options.upload_paths.end(), path) !=
         options.upload_paths.end();
}

size_t TakeHeaders(const RequestHead& head, Request& request) {
  request.headers.reserve(static_cast<size_t>(std::distance(head.begin(), head.end())));
  size_t host_fields = 0;
  for (const auto& field : head) {
    if (field.name() == bhttp::field::host) {
      ++host_fields;
      request.host = ToString(field.value());
    }
    request.headers.emplace_back(ToString(field.name_string()), ToString(field.value()));
  }
  return host_fields;
}

}  // namespace vigie::http::internal
