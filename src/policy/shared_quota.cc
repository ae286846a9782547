#include "policy/shared_quota.h"

namespace vigie::policy {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

// $1 agent, $2 kind, $3 hour, $4 day, $5 per hour, $6 per day. A later
// window starts its count again; the same (or an earlier) one adds to it,
// unless it is full: then nothing changes and no row is reported.
constexpr const char* kTake =
    "INSERT INTO consultation_count (agent_id, kind, hour, hour_count, day, day_count) "
    "VALUES ($1, $2, $3, 1, $4, 1) "
    "ON CONFLICT (agent_id, kind) DO UPDATE SET "
    "hour_count = CASE WHEN excluded.hour > consultation_count.hour THEN 1 "
    "ELSE consultation_count.hour_count + 1 END, "
    "day_count = CASE WHEN excluded.day > consultation_count.day THEN 1 "
    "ELSE consultation_count.day_count + 1 END, "
    "hour = CASE WHEN excluded.hour > consultation_count.hour THEN excluded.hour "
    "ELSE consultation_count.hour END, "
    "day = CASE WHEN excluded.day > consultation_count.day THEN excluded.day "
    "ELSE consultation_count.day END "
    "WHERE (excluded.hour > consultation_count.hour OR consultation_count.hour_count < $5) "
    "AND (excluded.day > consultation_count.day OR consultation_count.day_count < $6)";

// $1 agent, $2 kind, $3 hour, $4 day: one unit back in each window that
// still counts from the consultation's time.
constexpr const char* kGiveBack =
    "UPDATE consultation_count SET "
    "hour_count = CASE WHEN hour = $3 AND hour_count > 0 THEN hour_count - 1 "
    "ELSE hour_count END, "
    "day_count = CASE WHEN day = $4 AND day_count > 0 THEN day_count - 1 ELSE day_count END "
    "WHERE agent_id = $1 AND kind = $2";

int64_t KindCode(ConsultationKind kind) { return kind == ConsultationKind::kSearch ? 0 : 1; }

}  // namespace

Result<void> SharedQuotaLimiter::Take(int64_t agent_id, ConsultationKind kind,
                                      int64_t unix_seconds, int64_t* retry_after_seconds) {
  const bool search = kind == ConsultationKind::kSearch;
  const int per_hour = search ? limits_.searches_per_hour : limits_.files_per_hour;
  const int per_day = search ? limits_.searches_per_day : limits_.files_per_day;
  const int64_t kind_code = KindCode(kind);
  const int64_t day = unix_seconds / kDay;
  const int64_t hour = unix_seconds / kHour;
  ASSIGN_OR_RETURN(auto db, pool_.Borrow());
  ASSIGN_OR_RETURN(store::Statement * take, db->Prepare(kTake));
  take->BindInt(1, agent_id)
      .BindInt(2, kind_code)
      .BindInt(3, hour)
      .BindInt(4, day)
      .BindInt(5, per_hour)
      .BindInt(6, per_day);
  ASSIGN_OR_RETURN(int64_t counted, take->Run());
  if (counted == 1) return {};

  // Refused: say which window is full (the day's first, as QuotaLimiter does).
  ASSIGN_OR_RETURN(store::Statement * read,
                   db->Prepare("SELECT day, day_count, hour FROM consultation_count "
                               "WHERE agent_id = $1 AND kind = $2"));
  read->BindInt(1, agent_id).BindInt(2, kind_code);
  ASSIGN_OR_RETURN(bool found, read->Step());
  const bool daily = found && read->ColumnInt(0) >= day && read->ColumnInt(1) >= per_day;
  // The window that is full, as stored: another node's clock may be ahead.
  const int64_t full_window = !found ? hour : daily ? read->ColumnInt(0) : read->ColumnInt(2);
  RETURN_IF_ERROR(read->Run());
  return Fail(QuotaReached(kind, daily, limits_, full_window, unix_seconds, retry_after_seconds));
}

Result<void> SharedQuotaLimiter::GiveBack(int64_t agent_id, ConsultationKind kind,
                                          int64_t taken_at) {
  ASSIGN_OR_RETURN(auto db, pool_.Borrow());
  ASSIGN_OR_RETURN(store::Statement * give_back, db->Prepare(kGiveBack));
  give_back->BindInt(1, agent_id)
      .BindInt(2, KindCode(kind))
      .BindInt(3, taken_at / kHour)
      .BindInt(4, taken_at / kDay);
  RETURN_IF_ERROR(give_back->Run());  // no row: nothing was counted to give back
  return {};
}

}  // namespace vigie::policy
