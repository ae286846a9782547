#include "http/problem.h"

#include <string>

#include "core/json_text.h"

namespace vigie::http {
namespace {

std::string_view GenericDetail(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "The request is invalid.";
    case ErrorCode::kUnauthenticated:
      return "Authentication is required.";
    case ErrorCode::kPermissionDenied:
      return "You are not allowed to do this.";
    case ErrorCode::kNotFound:
      return "Nothing matches the request.";
    case ErrorCode::kConflict:
      return "The request conflicts with the current state.";
    case ErrorCode::kResourceExhausted:
      return "Too many requests; try again later.";
    case ErrorCode::kUnavailable:
      return "The service is temporarily unavailable.";
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return "The server could not complete the request.";
  }
  return "The server could not complete the request.";
}

Response MakeProblem(int status, std::string_view title, std::string_view detail,
                     std::string_view code, std::string_view request_id) {
  std::string body = "{\"type\":\"about:blank\",\"title\":";
  AppendJsonText(body, title);
  body += ",\"status\":";
  body += std::to_string(status);
  if (!detail.empty()) {
    body += ",\"detail\":";
    AppendJsonText(body, detail);
  }
  if (!code.empty()) {
    body += ",\"code\":";
    AppendJsonText(body, code);
  }
  body += ",\"request_id\":";
  AppendJsonText(body, request_id);
  body += '}';
  Response response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = std::move(body);
  return response;
}

}  // namespace

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view StatusPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

Response Problem(int status, std::string_view title, std::string_view detail,
                 std::string_view request_id) {
  return MakeProblem(status, title, detail, {}, request_id);
}

Response ProblemFor(const Error& error, std::string_view request_id,
                    std::string_view public_detail) {
  int status = HttpStatusFor(error.code());
  std::string_view detail = public_detail.empty() ? GenericDetail(error.code()) : public_detail;
  std::string_view code = status == 500 ? "Internal" : ErrorCodeName(error.code());
  if (status == 500) detail = GenericDetail(ErrorCode::kInternal);
  return MakeProblem(status, StatusPhrase(status), detail, code, request_id);
}

}  // namespace vigie::http
