// Fuzz target: WebAuthn registration and authentication responses as a
// browser posts them (clientDataJSON, attestationObject or authenticatorData
// and signature) plus the stored COSE key, all taken from the fuzzer's bytes.
//
// Input: one selector byte, then fields each prefixed by a 2-byte big-endian
// length, the last field taking the rest (missing fields are empty):
//   selector even: clientDataJSON, attestationObject
//   selector odd:  clientDataJSON, stored COSE key, authenticatorData, signature;
//                  selector bit 1 is the stored backup eligibility.
// The relying party and challenges are those of the duo-labs/py_webauthn vectors in
// fuzz/corpus/webauthn (RP id "localhost"), so those seeds pass every check.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "webauthn/webauthn.h"

namespace {

using vigie::webauthn::ByteView;

constexpr uint8_t kRegistrationChallenge[] = {
    0x4f, 0x03, 0x7b, 0x9f, 0x85, 0x93, 0xc8, 0x62, 0x8b, 0x73, 0x86, 0x58, 0xfa, 0xa1, 0xac, 0x16,
    0xa2, 0xa7, 0x1c, 0xce, 0x27, 0x82, 0x5a, 0xac, 0xc9, 0x5d, 0x08, 0x08, 0x99, 0x4d, 0xd9, 0x33,
    0xbd, 0x5e, 0x24, 0x72, 0x16, 0xda, 0xe4, 0x68, 0x3c, 0x14, 0xbe, 0xca, 0xa5, 0xfa, 0x09, 0x0b,
    0x25, 0x73, 0xfa, 0x7e, 0x71, 0x75, 0x32, 0x5a, 0xd9, 0xe7, 0x73, 0x26, 0xe1, 0x1e, 0xc2, 0xbf,
};
constexpr uint8_t kAssertionChallenge[] = {
    0xeb, 0x3a, 0xd2, 0x45, 0x7f, 0x02, 0xc7, 0x03, 0xd2, 0x5c, 0x40, 0x2b, 0x5f, 0x25, 0xcb, 0xda,
    0xda, 0x5b, 0xea, 0xb0, 0x7b, 0x4a, 0xd6, 0xab, 0xd2, 0xb2, 0xd5, 0x22, 0x3e, 0x6b, 0xbd, 0xfe,
    0xf8, 0x99, 0x92, 0x85, 0xe6, 0x2a, 0xfb, 0xd7, 0x95, 0xe6, 0x83, 0x3e, 0x6d, 0x03, 0xf1, 0xb2,
    0x1d, 0xec, 0x4d, 0xe2, 0x85, 0xdf, 0xad, 0x0f, 0x3c, 0xf4, 0x0a, 0xd5, 0x08, 0xb6, 0x91, 0x74,
};
constexpr uint32_t kStoredSignCount = 1625263263;

ByteView TakeField(ByteView& input, bool last) {
  size_t size = input.size();
  if (!last && input.size() >= 2) {
    size = std::min<size_t>((size_t{input[0]} << 8) | input[1], input.size() - 2);
    input = input.subspan(2);
  }
  ByteView field = input.first(size);
  input = input.subspan(size);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigie::webauthn;
  if (size == 0) return 0;
  static const RelyingParty rp{"localhost", {"http://localhost:5000"}};
  uint8_t selector = data[0];
  ByteView input(data + 1, size - 1);
  if ((selector & 1) == 0) {
    ByteView client_data = TakeField(input, false);
    ByteView attestation = TakeField(input, true);
    (void)VerifyRegistration(rp, kRegistrationChallenge, client_data, attestation);
    return 0;
  }
  ByteView client_data = TakeField(input, false);
  ByteView key = TakeField(input, false);
  ByteView authenticator_data = TakeField(input, false);
  ByteView signature = TakeField(input, true);
  StoredCredential stored{key, kStoredSignCount, (selector & 2) != 0};
  (void)VerifyAssertion(rp, kAssertionChallenge, stored, client_data, authenticator_data,
                        signature);
  return 0;
}
