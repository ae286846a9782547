#pragma once
// The benchmark's data and query workload: generated persons written as JSON
// Lines, and probes (exact, phonetic, typo) drawn from persons known by index.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "records/generator.h"
#include "records/search_probe.h"

namespace vigie::bench {

struct Probe {
  records::SearchProbe probe;
  int64_t intended_person_id;  // index + 1: persons are imported in order
};

std::vector<std::string> ReadSurnames(const std::filesystem::path& path);

// Writes `persons` generated persons (with notices and entries) unless the
// file already exists. Returns the number of lines.
void WriteJsonLines(const records::PopulationGenerator& generator, uint64_t persons,
                    const std::filesystem::path& out);

// `count` probes of each variant, from uniformly drawn persons.
std::vector<Probe> MakeProbes(const records::PopulationGenerator& generator, uint64_t persons,
                              size_t count, uint64_t seed);

double Percentile(std::vector<double> values, double p);
long ResidentMemoryKiB();

}  // namespace vigie::bench
