#include "witness/submission.h"

#include <boost/json.hpp>
#include <cstring>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "witness/cosignature.h"

namespace vigie::witness {

std::string SubmissionSignedText(const Submission& submission) {
  std::string text = "vigie.witness.submission.v1\n" +
                     audit::CheckpointSignedText(submission.checkpoint) +
                     crypto::HexEncode(submission.checkpoint.signature) + "\n" +
                     std::to_string(submission.from_size) + "\n" +
                     std::to_string(submission.consistency_proof.size()) + "\n";
  for (const audit::Sha256Digest& hash : submission.consistency_proof) {
    text += crypto::HexEncode(hash) + "\n";
  }
  return text;
}

Result<void> SignSubmission(const LogSigningKeys& keys, Submission& submission) {
  auto key = keys.find(submission.checkpoint.key_id);
  if (key == keys.end()) {
    return Fail(ErrorCode::kNotFound, "checkpoint key " +
                                          std::to_string(submission.checkpoint.key_id) +
                                          " is not in this node's key file");
  }
  submission.signature = key->second.Sign(SubmissionSignedText(submission));
  return {};
}

bool SubmissionSignatureValid(const Submission& submission,
                              std::span<const uint8_t> log_public_key) {
  return submission.signature &&
         crypto::Ed25519Verify(log_public_key, crypto::AsBytes(SubmissionSignedText(submission)),
                               *submission.signature);
}

boost::json::object SubmissionJson(const Submission& submission) {
  boost::json::array proof;
  for (const auto& hash : submission.consistency_proof) proof.emplace_back(crypto::HexEncode(hash));
  boost::json::object out{{"checkpoint", CheckpointJson(submission.checkpoint)},
                          {"from_size", submission.from_size},
                          {"consistency_proof", std::move(proof)}};
  if (submission.signature) out["signature"] = crypto::Base64Encode(*submission.signature);
  return out;
}

Result<Submission> ParseSubmission(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = 4;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec, {}, options);
  const boost::json::object* object = ec ? nullptr : value.if_object();
  if (object == nullptr) return Fail(ErrorCode::kInvalidArgument, "the body is not a JSON object");
  for (const auto& field : *object) {
    if (field.key() != "checkpoint" && field.key() != "from_size" &&
        field.key() != "consistency_proof" && field.key() != "signature") {
      return Fail(ErrorCode::kInvalidArgument, "unknown field '" + std::string(field.key()) + "'");
    }
  }
  const auto* checkpoint = object->if_contains("checkpoint");
  const auto* from_size = object->if_contains("from_size");
  const auto* proof = object->if_contains("consistency_proof");
  const auto* signature = object->if_contains("signature");
  if (checkpoint == nullptr) return Fail(ErrorCode::kInvalidArgument, "'checkpoint' is missing");
  if (from_size == nullptr || !from_size->is_number()) {
    return Fail(ErrorCode::kInvalidArgument, "'from_size' must be a number");
  }
  if (proof == nullptr || !proof->is_array() || proof->as_array().size() > kMaxProofHashes) {
    return Fail(ErrorCode::kInvalidArgument,
                "'consistency_proof' must be an array of at most 64 hashes");
  }
  if (signature != nullptr && !signature->is_string()) {
    return Fail(ErrorCode::kInvalidArgument, "'signature' must be a string");
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
    submission.consistency_proof.push_back(digest);
  }
  if (signature != nullptr) {
    auto bytes = crypto::Base64Decode(signature->get_string());
    crypto::Ed25519Signature decoded;
    if (!bytes || bytes->size() != decoded.size()) {
      return Fail(ErrorCode::kInvalidArgument, "'signature' is not 64 bytes of base64");
    }
    std::memcpy(decoded.data(), bytes->data(), decoded.size());
    submission.signature = decoded;
  }
  return submission;
}

}  // namespace vigie::witness
