#include "witness/witness_routes.h"

#include <boost/json.hpp>
#include <cstring>

#include "crypto/hash.h"
#include "http/problem.h"

namespace vigie::witness {
namespace {

constexpr size_t kMaxProofHashes = 64;  // log2 of any possible tree size

struct Submission {
  audit::Checkpoint checkpoint;
  uint64_t from_size = 0;
  std::vector<audit::Sha256Digest> proof;
};

Result<Submission> ParseSubmission(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = 4;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec, {}, options);
  const boost::json::object* object = ec ? nullptr : value.if_object();
  if (object == nullptr) return Fail(ErrorCode::kInvalidArgument, "the body is not a JSON object");
  for (const auto& field : *object) {
    if (field.key() != "checkpoint" && field.key() != "from_size" &&
        field.key() != "consistency_proof") {
      return Fail(ErrorCode::kInvalidArgument, "unknown field '" + std::string(field.key()) + "'");
    }
  }
  const auto* checkpoint = object->if_contains("checkpoint");
  const auto* from_size = object->if_contains("from_size");
  const auto* proof = object->if_contains("consistency_proof");
  if (checkpoint == nullptr) return Fail(ErrorCode::kInvalidArgument, "'checkpoint' is missing");
  if (from_size == nullptr || !from_size->is_number()) {
    return Fail(ErrorCode::kInvalidArgument, "'from_size' must be a number");
  }
  if (proof == nullptr || !proof->is_array() || proof->as_array().size() > kMaxProofHashes) {
    return Fail(ErrorCode::kInvalidArgument,
                "'consistency_proof' must be an array of at most 64 hashes");
  }
  Submission submission;
  ASSIGN_OR_RETURN(submission.checkpoint, CheckpointFromJson(*checkpoint));
  boost::system::error_code number_ec;
  submission.from_size = from_size->to_number<uint64_t>(number_ec);
  if (number_ec) return Fail(ErrorCode::kInvalidArgument, "'from_size' is not a tree size");
  for (const auto& hash : proof->as_array()) {
    auto bytes = crypto::HexDecode(hash.is_string() ? std::string_view(hash.get_string()) : "");
    if (!bytes || bytes->size() != audit::Sha256Digest{}.size()) {
      return Fail(ErrorCode::kInvalidArgument, "a proof hash is not 64 hex digits");
    }
    audit::Sha256Digest digest;
    std::memcpy(digest.data(), bytes->data(), digest.size());
    submission.proof.push_back(digest);
  }
  return submission;
}

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
  return witness.Submit(submission.checkpoint, submission.from_size, submission.proof);
}

http::Response Latest(const Witness& witness) {
  auto latest = witness.Latest();
  boost::json::object body{{"witness_public_key", crypto::HexEncode(witness.public_key())}};
  body["cosignature"] = latest ? boost::json::value(CosignatureJson(*latest)) : nullptr;
  return Json(200, body);
}

}  // namespace

http::Handler WitnessHandler(Witness& witness) {
  return [&witness](const http::Request& request) -> http::Response {
    const std::string_view path = request.Path();
    http::Response response;
    if (path == "/v1/latest" && (request.method == "GET" || request.method == "HEAD")) {
      response = Latest(witness);
    } else if (path == "/v1/checkpoints" && request.method == "POST") {
      Result<Cosignature> cosigned = SubmitRequest(request, witness);
      response = cosigned ? Json(200, {{"cosignature", CosignatureJson(*cosigned)}})
                          : Refusal(cosigned.error(), request, witness);
    } else if (path == "/v1/latest" || path == "/v1/checkpoints") {
      response = http::Problem(405, "Method Not Allowed", "", request.request_id);
      response.headers.emplace_back("Allow", path == "/v1/latest" ? "GET, HEAD" : "POST");
    } else {
      response = http::Problem(404, "Not Found", "", request.request_id);
    }
    response.log_route = std::string(path == "/v1/latest" || path == "/v1/checkpoints" ? path : "");
    return response;
  };
}

}  // namespace vigie::witness
