#pragma once
// Search probes for benchmarks and quality tests: what an agent might type to
// find a generated person — the name as recorded, a French sound-alike
// spelling, or one keyboard slip. Synthetic workloads only, never real data.
// Thread-safety: stateless; the caller owns the SeededRandom.

#include <optional>
#include <string>
#include <string_view>

#include "core/random.h"
#include "records/model.h"

namespace vigie::records {

// What an agent might type when looking a person up.
enum class QueryVariant {
  kExact,     // surname and first given name as recorded, maybe re-cased / without accents
  kPhonetic,  // a surname spelling that sounds the same in French
  kTypo,      // exactly one keyboard slip in the surname or the given name
};

struct SearchProbe {
  std::string surname;
  std::string given_name;
  PartialDate birth_date;  // year only, or the full date when the person's is full
  QueryVariant variant;
};

// Builds a probe for `p`. kExact always succeeds for a person with a surname
// and a given name. kPhonetic returns nullopt when no French sound-alike
// rewrite applies to the surname. kTypo applies exactly one edit
// (AZERTY-neighbour substitution, deletion, insertion, adjacent
// transposition) to the upper-case ASCII form of either the surname or the
// given name, never leaving it empty. Returns nullopt for a person without
// surname or given name.
std::optional<SearchProbe> MakeProbe(const Person& p, QueryVariant variant, SeededRandom& rng);

// The search's canonical form of a name (NormaliseName): "Lefèvre" →
// "LEFEVRE", "Œuvray" → "OEUVRAY", "N'Diaye" → "NDIAYE"; "" if it has none.
std::string FoldToUpperAscii(std::string_view utf8);

}  // namespace vigie::records
