#pragma once
// Sound-alike and typo matching for the records search: a French phonetic key
// (names that sound alike in French share a key) and a capped edit distance
// for ranking near misses. Both work on compacted normalised names (A-Z only,
// see name_normaliser.h). The rules and their examples are documented in
// docs/names-and-phonetics.md.
//
// Thread-safety: pure functions, safe to call concurrently. No allocation
// beyond the returned string (keys of up to 15 codes fit the small-string
// buffer), no regex: they run on every person at import time.

#include <string>
#include <string_view>

namespace vigie::records {

// French phonetic key of a compacted normalised name ("LEFEBVRE", "DELAFONTAINE").
// The key is a short string of codes:
//   oral vowels  A, E (e/é/è/ai/ei/eu), I (i/y), O (o/au/eau), U (ou), Y (u);
//   nasal vowels a (an/en/am/em), i (in/ain/ein/un/ien), o (on/om);
//   consonants   B D F G J K L M N P R S T V Z, and X for the "ch" sound.
// Examples: LEFEBVRE/LEFEVRE -> "LEFEVR", GAUTHIER/GAUTIER/GOTHIER -> "GOTI",
// RENAUD/RENAULT/RENO -> "RENO", DUPONT/DUPOND -> "DYPo".
// Lower-case a-z are treated as upper case; any other byte is ignored; only the
// first 512 letters are considered. Never empty when the input holds a letter;
// empty when it holds none.
std::string PhoneticKeyFr(std::string_view compact_name);

// Damerau-Levenshtein distance in its optimal-string-alignment form (insert,
// delete, substitute, swap two adjacent bytes; no substring edited twice),
// capped: returns min(distance, cap + 1). A negative cap counts as 0. Runs in
// O(|a| * |b|) worst case and stops as soon as the cap is exceeded.
int EditDistance(std::string_view a, std::string_view b, int cap = 2);

}  // namespace vigie::records
