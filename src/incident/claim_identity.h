#pragma once
// A person's identity as the claim check compares it: normalised surname,
// given name(s) and birth date, reduced to a 64-bit keyed hash so a million
// sample rows and every stored person meet in one hash table.
//
// Security: the hash key is drawn at random for each check, so nobody can
// craft a sample row that collides with a real person without being that
// person; a chance collision needs 2^-64 odds per pair. No key or name is
// kept or printed.
//
// Thread-safety: an IdentityKeyer may be shared between threads (const use).

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/random.h"
#include "crypto/keyed_hash.h"
#include "records/model.h"

namespace vigie::incident {

// A sample's birth date: ISO "YYYY-MM-DD" (a time after 'T' is ignored),
// "YYYY-MM", "YYYY", or day first "DD/MM/YYYY" (also with '-' or '.').
// InvalidArgument otherwise, or for a day that does not exist.
Result<records::PartialDate> ParseSampleDate(std::string_view text);

class IdentityKeyer {
 public:
  explicit IdentityKeyer(RandomSource& random);

  // The key of a sample row. Given names may be several, separated by ',',
  // ';' or spaces; they compare as one run of letters, so "Jean-Pierre" and
  // "Jean Pierre" agree. InvalidArgument naming the field that is empty or
  // does not normalise (records::NormaliseName).
  Result<uint64_t> RowKey(std::string_view surname, std::string_view given_names,
                          std::string_view birth_date) const;

  // The keys a stored person is found under: with all their given names, and
  // with the first alone (samples often show only that). nullopt for a
  // person whose names do not normalise (never for a validated record).
  struct PersonKeys {
    uint64_t all_given_names = 0;
    std::optional<uint64_t> first_given_name;  // when they have more than one
  };
  std::optional<PersonKeys> KeysOf(const records::Person& person) const;

 private:
  uint64_t Key(std::string_view surname, std::string_view given,
               const records::PartialDate& birth) const;

  crypto::SearchKeyHasher hasher_;
};

}  // namespace vigie::incident
