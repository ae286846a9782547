#include "bench/bench_workload.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "records/exchange_format.h"

namespace vigie::bench {

std::vector<std::string> ReadSurnames(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

void WriteJsonLines(const records::PopulationGenerator& generator, uint64_t persons,
                    const std::filesystem::path& out) {
  if (std::filesystem::exists(out)) return;
  auto partial = out.string() + ".partial";
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  std::string buffer;
  bool tty = ::isatty(STDERR_FILENO) == 1;
  for (uint64_t i = 0; i < persons; ++i) {
    auto g = generator.Make(i);
    (buffer += records::ToJsonLine(g.person)) += '\n';
    for (const auto& n : g.notices) (buffer += records::ToJsonLine(n)) += '\n';
    for (const auto& e : g.entries) (buffer += records::ToJsonLine(e)) += '\n';
    if (buffer.size() > (4 << 20)) {
      file.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
      if (tty) std::fprintf(stderr, "\r  generating %llu/%llu", (unsigned long long)i, (unsigned long long)persons);
    }
  }
  file.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  file.close();
  if (tty) std::fprintf(stderr, "\n");
  std::filesystem::rename(partial, out);
}

std::vector<Probe> MakeProbes(const records::PopulationGenerator& generator, uint64_t persons,
                              size_t count, uint64_t seed) {
  SeededRandom rng(seed);
  std::vector<Probe> probes;
  for (auto variant : {records::QueryVariant::kExact, records::QueryVariant::kPhonetic,
                       records::QueryVariant::kTypo}) {
    size_t made = 0;
    while (made < count) {
      uint64_t index = rng.Below(persons);
      auto person = generator.Make(index).person;
      auto probe = records::MakeProbe(person, variant, rng);
      if (!probe) continue;  // no sound-alike spelling for this name
      probes.push_back({std::move(*probe), static_cast<int64_t>(index + 1)});
      ++made;
    }
  }
  return probes;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t at = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(at, values.size() - 1)];
}

long ResidentMemoryKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace vigie::bench
