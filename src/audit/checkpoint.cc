#include "audit/checkpoint.h"

#include <boost/json.hpp>
#include <cstring>

namespace vigie::audit {
namespace {

Result<Sha256Digest> DigestFromHex(std::string_view hex) {
  auto bytes = crypto::HexDecode(hex);
  if (!bytes || bytes->size() != Sha256Digest{}.size()) {
    return Fail(ErrorCode::kDataLoss, "witness line: a hash is not 64 hex digits");
  }
  Sha256Digest digest;
  std::memcpy(digest.data(), bytes->data(), digest.size());
  return digest;
}

}  // namespace

std::string CheckpointSignedText(const Checkpoint& checkpoint) {
  return "vigie.audit.checkpoint.v1\n" + std::to_string(checkpoint.tree_size) + "\n" +
         std::to_string(checkpoint.time_unix_micros) + "\n" + crypto::HexEncode(checkpoint.root) +
         "\n" + crypto::HexEncode(checkpoint.chain_hash) + "\n" +
         std::to_string(checkpoint.key_id) + "\n";
}

void SignCheckpoint(const crypto::Ed25519KeyPair& key, Checkpoint& checkpoint) {
  checkpoint.signature = key.Sign(CheckpointSignedText(checkpoint));
}

bool CheckpointSignatureValid(const Checkpoint& checkpoint, std::span<const uint8_t> public_key) {
  std::string text = CheckpointSignedText(checkpoint);
  return crypto::Ed25519Verify(
      public_key, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
      checkpoint.signature);
}

std::string WitnessLine(const Checkpoint& checkpoint) {
  boost::json::object line;
  line["tree_size"] = checkpoint.tree_size;
  line["time_unix_micros"] = checkpoint.time_unix_micros;
  line["root"] = crypto::HexEncode(checkpoint.root);
  line["chain_hash"] = crypto::HexEncode(checkpoint.chain_hash);
  line["key_id"] = checkpoint.key_id;
  line["signature"] = crypto::Base64Encode(checkpoint.signature);
  return boost::json::serialize(line);
}

Result<Checkpoint> ParseWitnessLine(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(line, ec);
  if (ec || !value.is_object())
    return Fail(ErrorCode::kDataLoss, "witness line is not a JSON object");
  const boost::json::object& object = value.get_object();
  auto field = [&](std::string_view name) { return object.if_contains(name); };
  const auto* size = field("tree_size");
  const auto* time = field("time_unix_micros");
  const auto* root = field("root");
  const auto* chain = field("chain_hash");
  const auto* key_id = field("key_id");
  const auto* signature = field("signature");
  if (object.size() != 6 || size == nullptr || time == nullptr || root == nullptr ||
      chain == nullptr || key_id == nullptr || signature == nullptr || !size->is_number() ||
      !time->is_int64() || !root->is_string() || !chain->is_string() || !key_id->is_number() ||
      !signature->is_string()) {
    return Fail(ErrorCode::kDataLoss, "witness line does not have the checkpoint fields");
  }
  Checkpoint checkpoint;
  // One error code each: a conversion that succeeds clears it.
  boost::system::error_code size_ec, id_ec;
  checkpoint.tree_size = size->to_number<uint64_t>(size_ec);
  uint64_t id = key_id->to_number<uint64_t>(id_ec);
  if (size_ec || id_ec || id > UINT32_MAX) {
    return Fail(ErrorCode::kDataLoss, "witness line: tree size or key id out of range");
  }
  checkpoint.key_id = static_cast<uint32_t>(id);
  checkpoint.time_unix_micros = time->get_int64();
  ASSIGN_OR_RETURN(checkpoint.root, DigestFromHex(root->get_string()));
  ASSIGN_OR_RETURN(checkpoint.chain_hash, DigestFromHex(chain->get_string()));
  auto signature_bytes = crypto::Base64Decode(signature->get_string());
  if (!signature_bytes || signature_bytes->size() != checkpoint.signature.size()) {
    return Fail(ErrorCode::kDataLoss, "witness line: signature is not 64 bytes of base64");
  }
  std::memcpy(checkpoint.signature.data(), signature_bytes->data(), checkpoint.signature.size());
  return checkpoint;
}

}  // namespace vigie::audit
