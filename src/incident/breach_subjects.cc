#include "incident/breach_subjects.h"

#include <algorithm>
#include <unordered_map>

namespace vigie::incident {

Result<void> NameSubjects(records::RecordRepository& repository,
                          std::vector<ExposedSubject>& subjects) {
  ASSIGN_OR_RETURN(store::Transaction read, repository.BeginRead());
  constexpr size_t kBatch = records::RecordRepository::kMaxBatch;
  for (size_t first = 0; first < subjects.size(); first += kBatch) {
    const size_t end = std::min(first + kBatch, subjects.size());
    std::vector<int64_t> ids;
    std::unordered_map<int64_t, ExposedSubject*> by_id;
    for (size_t i = first; i < end; ++i) {
      ids.push_back(subjects[i].person_id);
      by_id[subjects[i].person_id] = &subjects[i];
    }
    ASSIGN_OR_RETURN(std::vector<records::Person> persons, repository.GetPersons(ids));
    for (records::Person& person : persons) {
      auto it = by_id.find(person.id);
      if (it == by_id.end()) continue;
      it->second->identity = SubjectIdentity{.surname = std::move(person.surname),
                                             .given_names = std::move(person.given_names),
                                             .birth_date = person.birth_date};
    }
  }
  return {};
}

}  // namespace vigie::incident
