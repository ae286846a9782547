#pragma once
// TEST ONLY: a software WebAuthn authenticator and browser, enough to produce
// registrations ("none" attestation) and assertions for the verifier's tests,
// with every field overridable so each check can be made to fail on its own.
// Built with libcbor's encoder, independently of the decoder under test.
//
// Thread-safety: not thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"
#include "crypto/ecdsa.h"
#include "crypto/signing.h"

namespace vigie::webauthn::test {

using Bytes = std::vector<uint8_t>;

// "ok", or "<Code>: <message>", for EXPECT_THAT(Outcome(r), HasSubstr(...)).
template <typename T>
std::string Outcome(const Result<T>& result) {
  return result ? "ok" : result.error().ToString();
}

// CBOR encodings built with libcbor (cbor_serialize_alloc).
struct CoseEntry {
  int64_t label;
  std::variant<int64_t, Bytes, bool> value;
};
Bytes EncodeCoseKey(const std::vector<CoseEntry>& entries);
// { "fmt": fmt, "attStmt": <statement>, "authData": auth_data }
Bytes EncodeAttestationObject(std::string_view fmt, const Bytes& auth_data,
                              const Bytes& statement_cbor = {0xa0});
// A CBOR map { text: bool } as an extensions output, e.g. {"credProtect"...}.
Bytes EncodeTextBoolMap(std::string_view key, bool value);

// ASN.1 DER of an r || s ECDSA signature (the authenticator's wire form).
Bytes RawToDer(std::span<const uint8_t> raw);

// {"type":...,"challenge":...,"origin":...,"crossOrigin":false<extra>}
std::string ClientDataJson(std::string_view type, std::span<const uint8_t> challenge,
                           std::string_view origin, std::string_view extra = "");

struct AuthenticatorDataFields {
  std::string rp_id = "vigie.example";
  uint8_t flags = 0x05;  // UP | UV
  uint32_t sign_count = 0;
  Bytes aaguid = Bytes(16, 0xaa);
  Bytes credential_id = Bytes(32, 0xc1);
  Bytes public_key_cose;  // attested credential data is written when non-empty
  Bytes extensions;       // written when non-empty (set flag 0x80 yourself)
};
Bytes EncodeAuthenticatorData(const AuthenticatorDataFields& fields);

class SoftwareAuthenticator {
 public:
  enum class Algorithm { kEs256, kEdDsa };
  explicit SoftwareAuthenticator(Algorithm algorithm);

  Algorithm algorithm() const { return algorithm_; }
  Bytes CoseKey() const;
  // Signs auth_data || SHA-256(client_data_json): DER for ES256, raw for EdDSA.
  Bytes Sign(std::span<const uint8_t> auth_data, std::string_view client_data_json) const;

 private:
  Algorithm algorithm_;
  crypto::Es256PrivateKey es256_;
  crypto::Ed25519KeyPair ed25519_;
};

}  // namespace vigie::webauthn::test
