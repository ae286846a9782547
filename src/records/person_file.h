#pragma once
// Opening a full person file: identity, every wanted notice and every
// criminal-record entry. A separate, deliberate act from searching (it will be
// audited on its own).

#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "records/model.h"
#include "records/record_repository.h"

namespace vigie::records {

struct PersonFile {
  Person person;
  std::vector<WantedNotice> notices;
  std::vector<RecordEntry> entries;
};

// NotFound for an unknown id; DataLoss when a sealed row fails to open.
Result<PersonFile> OpenPersonFile(RecordRepository& repository, int64_t person_id);

// True when the notice is in force on `today` (valid_from ≤ today ≤ valid_until).
bool NoticeInForce(const WantedNotice& notice, const PartialDate& today);

// A notice's validity as comparable day numbers (YYYYMMDD): partial dates
// count from their first day and until their last; no end date = forever.
struct NoticeWindow {
  int first_day = 0;
  int last_day = 0;
  bool Contains(int day) const { return first_day <= day && day <= last_day; }
};
NoticeWindow WindowOf(const WantedNotice& notice);
int DayNumber(const PartialDate& full_date);

// The server's local date at `t` (its time zone: TZ, or /etc/localtime).
PartialDate DateOf(TimePoint t);

}  // namespace vigie::records
