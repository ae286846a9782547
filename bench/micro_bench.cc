// Micro-benchmarks of the per-person and per-query building blocks.
#include <benchmark/benchmark.h>

#include <array>

#include "crypto/crypto.h"
#include "records/name_normaliser.h"
#include "records/phonetic_fr.h"

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

}  // namespace

BENCHMARK_MAIN();
