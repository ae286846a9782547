#include "witness/cosignature.h"

#include <boost/json.hpp>
#include <cstring>

#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace vigie::witness {

std::string CosignedText(const Cosignature& cosignature) {
  return "vigie.witness.cosignature.v1\n" + audit::CheckpointSignedText(cosignature.checkpoint) +
         crypto::HexEncode(cosignature.checkpoint.signature) + "\n" +
         std::to_string(cosignature.witnessed_unix_micros) + "\n";
}

void SignCosignature(const crypto::Ed25519KeyPair& witness_key, Cosignature& cosignature) {
  cosignature.witness_signature = witness_key.Sign(CosignedText(cosignature));
}

bool CosignatureValid(const Cosignature& cosignature,
                      std::span<const uint8_t> witness_public_key) {
  return crypto::Ed25519Verify(witness_public_key, crypto::AsBytes(CosignedText(cosignature)),
                               cosignature.witness_signature);
}

boost::json::object CheckpointJson(const audit::Checkpoint& checkpoint) {
  return boost::json::parse(audit::WitnessLine(checkpoint)).as_object();
}

Result<audit::Checkpoint> CheckpointFromJson(const boost::json::value& value) {
  if (!value.is_object()) return Fail(ErrorCode::kInvalidArgument, "checkpoint is not an object");
  auto checkpoint = audit::ParseWitnessLine(boost::json::serialize(value));
  if (!checkpoint) return Fail(ErrorCode::kInvalidArgument, checkpoint.error().message());
  return *checkpoint;
}

boost::json::object CosignatureJson(const Cosignature& cosignature) {
  return {{"checkpoint", CheckpointJson(cosignature.checkpoint)},
          {"witnessed_unix_micros", cosignature.witnessed_unix_micros},
          {"witness_signature", crypto::Base64Encode(cosignature.witness_signature)}};
}

Result<Cosignature> CosignatureFromJson(const boost::json::value& value) {
  const boost::json::object* object = value.if_object();
  if (object == nullptr || object->size() != 3) {
    return Fail(ErrorCode::kInvalidArgument,
                "cosignature must be an object with checkpoint, witnessed_unix_micros and "
                "witness_signature");
  }
  const auto* checkpoint = object->if_contains("checkpoint");
  const auto* time = object->if_contains("witnessed_unix_micros");
  const auto* signature = object->if_contains("witness_signature");
  if (checkpoint == nullptr || time == nullptr || !time->is_int64() || signature == nullptr ||
      !signature->is_string()) {
    return Fail(ErrorCode::kInvalidArgument, "cosignature fields missing or of the wrong type");
  }
  Cosignature out;
  ASSIGN_OR_RETURN(out.checkpoint, CheckpointFromJson(*checkpoint));
  out.witnessed_unix_micros = time->get_int64();
  auto bytes = crypto::Base64Decode(signature->get_string());
  if (!bytes || bytes->size() != out.witness_signature.size()) {
    return Fail(ErrorCode::kInvalidArgument, "witness_signature is not 64 bytes of base64");
  }
  std::memcpy(out.witness_signature.data(), bytes->data(), out.witness_signature.size());
  return out;
}

std::string CosignatureLine(const Cosignature& cosignature) {
  return boost::json::serialize(CosignatureJson(cosignature));
}

Result<Cosignature> ParseCosignatureLine(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(line, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "cosignature line is not JSON");
  return CosignatureFromJson(value);
}

}  // namespace vigie::witness
