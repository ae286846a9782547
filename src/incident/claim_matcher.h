#pragma once
// Which stored persons bear the identities a sample claims: one pass over
// every person (each sealed row opened once), looked up in a hash table of
// the sample's identity keys. A pass costs the same whatever the sample's
// size, which for a million rows beats a million name searches (each probes
// dozens of phonetic and one-typo postings) by far.
//
// Thread-safety: uses `repository` (one connection) from the calling thread.

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "incident/claim_identity.h"
#include "records/record_repository.h"

namespace vigie::incident {

struct PersonMatch {
  int64_t person_id = 0;
  std::string external_id;
  bool first_given_name_only = false;  // matched on the first given name alone
};

// Sample identity key → the persons bearing it (usually none or one; exact
// homonyms born the same day give several).
using IdentityMatches = std::unordered_map<uint64_t, std::vector<PersonMatch>>;

// (persons read, total persons)
using MatchProgress = std::function<void(int64_t done, int64_t total)>;

// Fills `matches`, whose keys are the sample's identity keys (their vectors
// empty), with the persons found. Errors: storage errors; DataLoss when a
// sealed row fails authentication (the check would otherwise be silently
// incomplete).
Result<void> MatchPersons(records::RecordRepository& repository, const IdentityKeyer& keyer,
                          IdentityMatches& matches, const MatchProgress& progress = {});

}  // namespace vigie::incident
