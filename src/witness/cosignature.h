#pragma once
// Cosignature: a witness's signed statement "I saw this checkpoint, signed by
// the log's key, at `witnessed_unix_micros`, and it is consistent with every
// checkpoint of this log I countersigned before". It binds the log's exact
// signed statement (its signature included). Format: docs/formats/witness.md.
//
// Thread-safety: pure functions and plain values.
// Errors: ParseCosignature returns InvalidArgument for malformed JSON or fields.

#include <boost/json/fwd.hpp>
#include <span>
#include <string>

#include "audit/checkpoint.h"
#include "core/error.h"
#include "crypto/signing.h"

namespace vigie::witness {

struct Cosignature {
  audit::Checkpoint checkpoint;  // as the log signed it
  int64_t witnessed_unix_micros = 0;
  crypto::Ed25519Signature witness_signature{};

  bool operator==(const Cosignature&) const = default;
};

// The exact bytes the witness signs (labelled lines, rebuildable with a shell).
std::string CosignedText(const Cosignature& cosignature);

void SignCosignature(const crypto::Ed25519KeyPair& witness_key, Cosignature& cosignature);
bool CosignatureValid(const Cosignature& cosignature, std::span<const uint8_t> witness_public_key);

// A checkpoint as a JSON object (the witness-file line's fields) and back.
boost::json::object CheckpointJson(const audit::Checkpoint& checkpoint);
Result<audit::Checkpoint> CheckpointFromJson(const boost::json::value& value);

// One cosignature as JSON: {"checkpoint": {...}, "witnessed_unix_micros": N,
// "witness_signature": base64}; serialized, it is one line of the witness's
// store and of Vigie's cosignature file.
boost::json::object CosignatureJson(const Cosignature& cosignature);
Result<Cosignature> CosignatureFromJson(const boost::json::value& value);
std::string CosignatureLine(const Cosignature& cosignature);
Result<Cosignature> ParseCosignatureLine(std::string_view line);

}  // namespace vigie::witness
