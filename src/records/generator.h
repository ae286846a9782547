#pragma once
// Deterministic synthetic French population: persons with realistic names,
// birth dates and places, plus their wanted notices and criminal-record
// entries. Used to fill demo and benchmark databases — never real data.
// Search workloads drawn from these persons are in search_probe.h.
//
// Determinism: Make(i) is a pure function of (options.seed, i, long-tail
// list): the same inputs give the same person on any machine, in any order,
// from any thread. The randomness is SeededRandom (splitmix64), NOT
// cryptographic.
//
// Thread-safety: a PopulationGenerator is immutable after construction;
// Make() is const and may be called concurrently.
//
// All produced strings are valid UTF-8, at most 100 bytes, and every person
// has a non-empty surname and 1..3 given names.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "records/model.h"

namespace vigie::records {

namespace internal {
struct GeneratorTables;  // cumulative-weight tables, defined in generator.cc
}  // namespace internal

struct GeneratorOptions {
  uint64_t seed = 1;
  double wanted_share = 0.05;  // ~5 % of persons have a wanted notice
  double record_share = 0.30;  // ~30 % have 1..6 criminal-record entries
  double alias_share = 0.04;   // share with an alias / usage name
};

// "Today" for the generated world: ages and record dates are relative to it.
inline constexpr PartialDate kGeneratorReferenceDate{2026, 6, 1};

class PopulationGenerator {
 public:
  // `long_tail_surnames`: the rare-name mass (e.g. the lines of
  // surnames-fr.txt, upper case, no accents). Blank, invalid-UTF-8, control-
  // character or over-long lines are skipped, as are names already in the
  // built-in head table. May be empty (then only head surnames are used).
  // Shares are clamped to [0, 1]. Construction costs O(tail size).
  PopulationGenerator(GeneratorOptions options, std::vector<std::string> long_tail_surnames);

  struct Generated {
    Person person;
    std::vector<WantedNotice> notices;  // empty for most persons
    std::vector<RecordEntry> entries;   // empty for most persons
  };

  // The person number `index`. External ids: "P%09llu" (the index) for the
  // person, "W%09llu-k" for its k-th notice, "R%09llu-k" for its k-th entry;
  // ids (internal row ids) are left at 0. Pure, const, thread-safe.
  Generated Make(uint64_t index) const;

  const GeneratorOptions& options() const { return options_; }
  size_t long_tail_size() const { return tail_.size(); }
  // The long tail's surname of Zipf rank `rank` (title-cased; rank <
  // long_tail_size()): the higher the rank, the rarer the name.
  const std::string& LongTailSurname(size_t rank) const { return tail_.at(rank); }

 private:
  GeneratorOptions options_;
  std::vector<std::string> tail_;  // title-cased, shuffled into Zipf rank order
  std::shared_ptr<const internal::GeneratorTables> tables_;  // built once, immutable
};

}  // namespace vigie::records
