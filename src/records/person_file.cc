#include "records/person_file.h"

#include <ctime>

namespace vigie::records {

Result<PersonFile> OpenPersonFile(RecordRepository& repository, int64_t person_id) {
  // One snapshot: an import committing between the reads would otherwise
  // give an identity of before a correction with notices of after it.
  ASSIGN_OR_RETURN(store::Transaction read, repository.BeginRead());
  PersonFile file;
  ASSIGN_OR_RETURN(file.person, repository.GetPerson(person_id));
  ASSIGN_OR_RETURN(file.notices, repository.WantedNoticesOf(person_id));
  ASSIGN_OR_RETURN(file.entries, repository.RecordEntriesOf(person_id));
  RETURN_IF_ERROR(read.Commit());
  return file;
}

int DayNumber(const PartialDate& full_date) { return DayKey(full_date, 101); }

NoticeWindow WindowOf(const WantedNotice& notice) {
  // A notice valid until "2026-05" holds all of May.
  return {DayKey(notice.valid_from, 101),
          notice.valid_until.known() ? DayKey(notice.valid_until, 1231) : 99991231};
}

bool NoticeInForce(const WantedNotice& notice, const PartialDate& today) {
  return WindowOf(notice).Contains(DayNumber(today));
}

PartialDate DateOf(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  // A notice's dates are civil dates (Paris's, in mainland France): "today"
  // is the server's local date, not UTC's, or a notice would end (and start)
  // up to two hours late. As detection's hours, it follows the machine's zone.
  localtime_r(&secs, &tm);
  return PartialDate{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

}  // namespace vigie::records
