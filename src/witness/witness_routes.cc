#include "witness/witness_routes.h"

#include <boost/json.hpp>

#include "crypto/hash.h"
#include "http/problem.h"
#include "witness/submission.h"

namespace vigie::witness {
namespace {

http::Response Json(int status, const boost::json::object& body) {
  return {.status = status, .content_type = "application/json", .body = boost::json::serialize(body)};
}

http::Response Refusal(const Error& error, const http::Request& request, const Witness& witness) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kPermissionDenied:
      // The witness's refusals concern the submitter's own data: say why.
      return http::ProblemFor(error, request.request_id, error.message());
    case ErrorCode::kConflict: {
      http::Response response = http::ProblemFor(error, request.request_id, error.message());
      auto body = boost::json::parse(response.body).as_object();
      auto latest = witness.Latest();
      body["latest_size"] = latest ? latest->checkpoint.tree_size : 0;
      response.body = boost::json::serialize(body);
      return response;
    }
    case ErrorCode::kDataLoss:
      return http::Problem(422, "Inconsistent checkpoint", error.message(), request.request_id);
    default:
      return http::ProblemFor(error, request.request_id);
  }
}

Result<Cosignature> SubmitRequest(const http::Request& request, Witness& witness) {
  auto content_type = request.Header("Content-Type");
  if (!content_type || !content_type->starts_with("application/json")) {
    return Fail(ErrorCode::kInvalidArgument, "send application/json");
  }
  if (request.body.size() > kMaxSubmissionBytes) {
    return Fail(ErrorCode::kInvalidArgument, "the body is larger than a submission can be");
  }
  ASSIGN_OR_RETURN(Submission submission, ParseSubmission(request.body));
  return witness.Submit(submission);
}

http::Response Latest(const Witness& witness) {
  auto latest = witness.Latest();
  boost::json::object body{{"witness_public_key", crypto::HexEncode(witness.public_key())}};
  body["cosignature"] = latest ? boost::json::value(CosignatureJson(*latest)) : nullptr;
  return Json(200, body);
}

// Public: which keys it accepts is no secret, and `vigie keys activate`
// checks a staged signing key is among them before the log signs with it.
http::Response LogKeys(const Witness& witness) {
  boost::json::array keys;
  for (const LogKey& key : witness.log_keys()) keys.emplace_back(LogKeyLine(key));
  return Json(200, {{"witness_public_key", crypto::HexEncode(witness.public_key())},
                    {"log_keys", std::move(keys)}});
}

}  // namespace

http::Handler WitnessHandler(Witness& witness) {
  return [&witness](const http::Request& request) -> http::Response {
    const std::string_view path = request.Path();
    const bool known = path == "/v1/latest" || path == "/v1/log-keys" || path == "/v1/checkpoints";
    http::Response response;
    const bool read = request.method == "GET" || request.method == "HEAD";
    if (path == "/v1/latest" && read) {
      response = Latest(witness);
    } else if (path == "/v1/log-keys" && read) {
      response = LogKeys(witness);
    } else if (path == "/v1/checkpoints" && request.method == "POST") {
      Result<Cosignature> cosigned = SubmitRequest(request, witness);
      response = cosigned ? Json(200, {{"cosignature", CosignatureJson(*cosigned)}})
                          : Refusal(cosigned.error(), request, witness);
    } else if (known) {
      response = http::Problem(405, "Method Not Allowed", "", request.request_id);
      response.headers.emplace_back("Allow", path == "/v1/checkpoints" ? "POST" : "GET, HEAD");
    } else {
      response = http::Problem(404, "Not Found", "", request.request_id);
    }
    response.log_route = std::string(known ? path : "");
    return response;
  };
}

}  // namespace vigie::witness
