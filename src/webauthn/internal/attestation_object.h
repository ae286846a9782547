#pragma once
// The attestation object of a registration (WebAuthn L3 §6.5.4): a CBOR map
// { "fmt": text, "attStmt": map, "authData": bytes }.
//
// Thread-safety: pure function.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace vigie::webauthn::internal {

struct AttestationObject {
  std::string fmt;
  size_t attestation_statement_size = 0;  // number of entries in attStmt
  std::vector<uint8_t> authenticator_data;
};

// Decodes `data`, which must be exactly one CBOR map holding the three members
// once each and nothing else. The format and statement are returned, not judged.
// Errors: InvalidArgument.
Result<AttestationObject> ParseAttestationObject(std::span<const uint8_t> data);

}  // namespace vigie::webauthn::internal
