// Micro-benchmarks of the per-person and per-query building blocks.
#include <benchmark/benchmark.h>

#include <array>

#include "crypto/crypto.h"
#include "policy/consultations_at_once.h"
#include "records/name_normaliser.h"
#include "records/phonetic_fr.h"
#include "session/dpop.h"
#include "session/dpop_key_cache.h"

namespace {

void BM_NormaliseName(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(vigie::records::NormaliseName("Le Goff-Lefèvre"));
}
BENCHMARK(BM_NormaliseName);

void BM_PhoneticKeyFr(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(vigie::records::PhoneticKeyFr("CHEVALLIER"));
}
BENCHMARK(BM_PhoneticKeyFr);

void BM_SearchKeyHash(benchmark::State& state) {
  std::array<uint8_t, 16> key{};
  vigie::crypto::SearchKeyHasher hasher(key);
  for (auto _ : state) benchmark::DoNotOptimize(hasher.Hash("\x01LEFEVRE|1972"));
}
BENCHMARK(BM_SearchKeyHash);

void BM_SealPerson(benchmark::State& state) {
  std::array<uint8_t, 32> key{};
  std::vector<uint8_t> plain(200, 7);
  for (auto _ : state) benchmark::DoNotOptimize(vigie::crypto::Seal(key, plain, plain));
}
BENCHMARK(BM_SealPerson);

// The floor of every authenticated request: one ES256 signature check.
void BM_Es256Verify(benchmark::State& state) {
  auto key = vigie::crypto::Es256PrivateKey::Generate();
  auto message = vigie::crypto::AsBytes("a DPoP signing input of about this length, give or take");
  auto signature = key.Sign(message);
  for (auto _ : state) benchmark::DoNotOptimize(key.public_key().Verify(message, signature));
}
BENCHMARK(BM_Es256Verify);

// A whole DPoP proof: parse, key import, signature, claims. Argument 1:
// the key comes from the server's key cache (a client's later requests).
void BM_DpopVerifyProof(benchmark::State& state) {
  using namespace vigie;
  auto key = crypto::Es256PrivateKey::Generate();
  auto b64 = [](std::string_view s) { return crypto::Base64UrlEncode(crypto::AsBytes(s)); };
  std::string header = R"({"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":")" +
                       crypto::Base64UrlEncode(key.public_key().x()) + R"(","y":")" +
                       crypto::Base64UrlEncode(key.public_key().y()) + R"("}})";
  std::string payload = R"({"jti":"4b1e6c0a-3c1d","htm":"POST","htu":"https://vigie.example/api/v1/search","iat":1800000000,"ath":")" +
                        session::AccessTokenHash("token") + R"("})";
  std::string input = b64(header) + "." + b64(payload);
  std::string proof = input + "." + crypto::Base64UrlEncode(key.Sign(crypto::AsBytes(input)));
  session::DpopRequest request{.method = "POST", .url = "https://vigie.example/api/v1/search",
                               .access_token = "token", .now = 1800000000};
  session::DpopKeyCache keys;
  session::DpopKeyCache* cache = state.range(0) == 1 ? &keys : nullptr;
  if (cache != nullptr) {  // as the API does once the session checked
    auto first = session::VerifyDpopProof(proof, request, {}, cache);
    if (first && first->key_to_keep) keys.Remember(first->key_to_keep);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(session::VerifyDpopProof(proof, request, {}, cache));
  }
}
BENCHMARK(BM_DpopVerifyProof)->Arg(0)->Arg(1);

}  // namespace

// The bound on consultations under way (policy/consultations_at_once.h),
// taken and given back by every search and file opening: its cost next to
// the ES256 check each request already pays. Threads: agents consulting at
// once on one node, each its own.
void BM_ConsultationSlot(benchmark::State& state) {
  static vigie::policy::ConsultationsAtOnce bound(4);
  const int64_t agent = state.thread_index() + 1;
  for (auto _ : state) {
    auto slot = bound.Take(agent);
    benchmark::DoNotOptimize(slot);
  }
}
BENCHMARK(BM_ConsultationSlot)->Threads(1)->Threads(2);

BENCHMARK_MAIN();
