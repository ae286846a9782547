#include "store/clock_check.h"

#include <cstdlib>
#include <string>

namespace vigie::store {

Result<std::chrono::milliseconds> ClockOffsetFromDatabase(Connection& db, const Clock& clock) {
  if (db.dialect() != Dialect::kPostgres) return std::chrono::milliseconds(0);
  // Asked once untimed first: preparing, or reconnecting (after a failover,
  // perhaps waiting out a dead host), takes round trips of its own, which
  // would put the middle below far off the query's.
  constexpr std::string_view kServerMs =
      "SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint";
  ASSIGN_OR_RETURN(Statement * warm_up, db.Prepare(kServerMs));
  RETURN_IF_ERROR(warm_up->Run());
  ASSIGN_OR_RETURN(Statement * query, db.Prepare(kServerMs));
  const auto before = clock.Now();
  ASSIGN_OR_RETURN(bool row, query->Step());
  if (!row) return Fail(ErrorCode::kInternal, "the database server did not tell its time");
  const int64_t server_ms = query->ColumnInt(0);
  RETURN_IF_ERROR(query->Run());
  const auto after = clock.Now();
  // The server read its clock somewhere in the round trip: take the middle.
  const auto middle = before + (after - before) / 2;
  const int64_t node_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(middle.time_since_epoch()).count();
  return std::chrono::milliseconds(node_ms - server_ms);
}

Result<void> CheckClockAgainstDatabase(Connection& db, const Clock& clock,
                                       std::chrono::seconds tolerance) {
  ASSIGN_OR_RETURN(std::chrono::milliseconds offset, ClockOffsetFromDatabase(db, clock));
  if (std::chrono::abs(offset) <= tolerance) return {};
  const double seconds = static_cast<double>(std::llabs(offset.count())) / 1000.0;
  return Fail(ErrorCode::kUnavailable,
              "this node's clock is " + std::to_string(seconds) + " s " +
                  (offset.count() > 0 ? "ahead of" : "behind") +
                  " the database server's: nodes must agree within " +
                  std::to_string(tolerance.count()) + " s (DPoP replay, sessions, detection); "
                  "set its time (NTP) before serving");
}

}  // namespace vigie::store
