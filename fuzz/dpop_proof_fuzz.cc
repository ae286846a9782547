// Fuzz target: DPoP proofs (compact JWS, base64url JSON header and claims,
// JWK coordinates) as a client sends them in the DPoP header, with and
// without the server's key cache.
#include <string_view>

#include "session/dpop.h"
#include "session/dpop_key_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigie::session;
  std::string_view proof(reinterpret_cast<const char*>(data), size);
  DpopRequest request{.method = "POST",
                      .url = "https://vigie.example/api/v1/search",
                      .access_token = "va_token",
                      .now = 1'800'000'000};
  static DpopKeyCache keys(64);
  (void)VerifyDpopProof(proof, request, {}, nullptr);
  (void)VerifyDpopProof(proof, request, {}, &keys);
  request.access_token.reset();
  (void)VerifyDpopProof(proof, request);
  return 0;
}
