#include "incident/claim_matcher.h"

#include <optional>

namespace vigie::incident {

Result<void> MatchPersons(records::RecordRepository& repository, const IdentityKeyer& keyer,
                          IdentityMatches& matches, const MatchProgress& progress) {
  ASSIGN_OR_RETURN(int64_t total, repository.CountPersons());
  std::optional<Error> failure;
  int64_t done = 0;
  RETURN_IF_ERROR(
      repository.ForEachPostingSet([&](const records::SealedPerson& row, uint32_t,
                                       std::span<const uint8_t>, std::span<const uint8_t>) {
        if (progress && (++done % 65536 == 0 || done == total)) progress(done, total);
        if (failure) return;
        auto person = repository.OpenPerson(row);
        if (!person) {
          failure = person.error().WithContext("person " + std::to_string(row.id));
          return;
        }
        auto keys = keyer.KeysOf(*person);
        if (!keys) return;
        if (auto it = matches.find(keys->all_given_names); it != matches.end()) {
          it->second.push_back({person->id, person->external_id, false});
        }
        if (keys->first_given_name) {
          if (auto it = matches.find(*keys->first_given_name); it != matches.end()) {
            it->second.push_back({person->id, person->external_id, true});
          }
        }
      }));
  if (failure) return Fail(*failure);
  return {};
}

}  // namespace vigie::incident
