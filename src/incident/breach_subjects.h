#pragma once
// Naming the data subjects of a breach report for their notification:
// surname, given names and birth date, opened from the records database.
// Persons no longer in the records keep identity = nullopt and are listed
// by id.
//
// Security: the names exist only in memory and in the CSV written for the
// notification; the JSON and HTML reports carry person ids and counts only.
// Thread-safety: uses `repository` alone.
// Errors: DataLoss when a sealed row fails to open; storage errors.

#include <vector>

#include "core/error.h"
#include "incident/breach_report.h"
#include "records/record_repository.h"

namespace vigie::incident {

// Fills ExposedSubject::identity for every subject still in the records.
Result<void> NameSubjects(records::RecordRepository& repository,
                          std::vector<ExposedSubject>& subjects);

}  // namespace vigie::incident
