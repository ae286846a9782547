#include "identity/internal/lockout.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace vigie::identity::internal {

namespace {

std::string_view FactorName(Factor factor) {
  return factor == Factor::kPassword ? "password" : factor == Factor::kTotp ? "totp" : "passkey";
}

// The failures that count towards a lock once this one is added (0 when
// the agent counts none), and the agent's failure_count_since before it.
struct Counted {
  int64_t failures = 0;
  int64_t failure_count_since = 0;
  int64_t at = 0;  // when the failure is dated
};

// The failure's date: `now`, or an active agent's failure_count_since when
// that is later (RecordLoginFailure). SQL text for an agent row `a` and `now`.
std::string FailureDate(std::string_view now) {
  return "CASE WHEN a.status = 'active' AND a.failure_count_since > " + std::string(now) +
         " THEN a.failure_count_since ELSE " + std::string(now) + " END";
}

// In three statements (SQLite: no round trips to save).
Result<Counted> AddFailureAndCount(store::Connection& db, int64_t agent_id, Factor factor,
                                   std::string_view source_address, int64_t now,
                                   int64_t window_start, int64_t codes_kept_after) {
  ASSIGN_OR_RETURN(store::Statement * prune,
                   db.Prepare("DELETE FROM login_failure WHERE agent_id = $1 AND at <= $2 AND "
                              "(factor = 'password' OR at <= $3)"));
  prune->BindInt(1, agent_id).BindInt(2, window_start).BindInt(3, codes_kept_after);
  RETURN_IF_ERROR(prune->Run());

  static const std::string kInsert =
      "INSERT INTO login_failure (agent_id, at, factor, source_address) SELECT $1, " +
      FailureDate("$2") + ", $3, $4 FROM agent a WHERE a.id = $1 RETURNING at";
  ASSIGN_OR_RETURN(store::Statement * insert, db.Prepare(kInsert));
  insert->BindInt(1, agent_id).BindInt(2, now).BindText(3, FactorName(factor));
  insert->BindText(4, source_address.substr(0, 64));
  ASSIGN_OR_RETURN(bool inserted, insert->Step());
  const int64_t at = inserted ? insert->ColumnInt(0) : now;
  RETURN_IF_ERROR(insert->Run());

  ASSIGN_OR_RETURN(store::Statement * count,
                   db.Prepare("SELECT count(*), max(a.failure_count_since) FROM login_failure "
                              "f JOIN agent a ON a.id = f.agent_id WHERE f.agent_id = $1 AND "
                              "f.at > $2 AND f.at >= a.failure_count_since AND (a.status = "
                              "'active' OR (a.status = 'locked' AND a.locked_until <= $3))"));
  count->BindInt(1, agent_id).BindInt(2, window_start).BindInt(3, now);
  ASSIGN_OR_RETURN(bool row, count->Step());
  Counted counted{.at = at};
  if (row) {
    counted.failures = count->ColumnInt(0);
    counted.failure_count_since = count->ColumnInt(1);
  }
  RETURN_IF_ERROR(count->Run());
  return counted;
}

// The same in one statement, so one round trip, as an unknown service
// number's refusal makes (RecordUnknownLoginFailure): measured, the three
// round trips made a real agent's refusal 0.17 ms slower on a loopback
// PostgreSQL (docs/benchmarks.md). The count reads the statement's snapshot,
// before this failure: it adds one for it when the agent counts failures
// (dated no earlier than failure_count_since, it counts).
Result<Counted> AddFailureAndCountInOneTrip(store::Connection& db, int64_t agent_id, Factor factor,
                                            std::string_view source_address, int64_t now,
                                            int64_t window_start, int64_t codes_kept_after) {
  static const std::string kRecord =
      "WITH pruned AS (DELETE FROM login_failure WHERE agent_id = $1 AND at <= $2 "
      "AND (factor = 'password' OR at <= $6)), "
      "added AS (INSERT INTO login_failure (agent_id, at, factor, source_address) "
      "SELECT $1, " +
      FailureDate("CAST($3 AS BIGINT)") +
      ", $4, $5 FROM agent a WHERE a.id = $1 RETURNING at) "
      "SELECT (SELECT count(*) FROM login_failure f WHERE f.agent_id = a.id AND "
      "f.at > $2 AND f.at >= a.failure_count_since) + 1, "
      "a.failure_count_since, (SELECT at FROM added) FROM agent a WHERE a.id = $1 AND "
      "(a.status = 'active' OR (a.status = 'locked' AND a.locked_until <= $3))";
  ASSIGN_OR_RETURN(store::Statement * record, db.Prepare(kRecord));
  record->BindInt(1, agent_id).BindInt(2, window_start).BindInt(3, now);
  record->BindText(4, FactorName(factor)).BindText(5, source_address.substr(0, 64));
  record->BindInt(6, codes_kept_after);
  ASSIGN_OR_RETURN(bool row, record->Step());
  if (!row) return Counted{.at = now};  // done: stepping again would run it again
  const Counted counted{.failures = record->ColumnInt(0),
                        .failure_count_since = record->ColumnInt(1),
                        .at = record->ColumnInt(2)};
  RETURN_IF_ERROR(record->Run());
  return counted;
}

}  // namespace

Result<RecordedFailure> RecordLoginFailure(store::Connection& db, int64_t agent_id, Factor factor,
                                           std::string_view source_address, int64_t now,
                                           const IdentityOptions& options) {
  const int64_t window_start = now - options.lockout_window.count();
  // Wrong codes stay as long as a lock they counted towards may last: they
  // tell a lock anyone could cause (passwords) from one a session or a
  // password holder caused (SecondFactorFailuresInLock).
  const int64_t codes_kept_after = window_start - options.lockout_duration.count();
  // Only an active account (or one whose lock has lapsed) can become locked:
  // failures against a suspended, disabled or still-locked account are
  // recorded but change nothing.
  ASSIGN_OR_RETURN(Counted counted,
                   db.dialect() == store::Dialect::kPostgres
                       ? AddFailureAndCountInOneTrip(db, agent_id, factor, source_address, now,
                                                     window_start, codes_kept_after)
                       : AddFailureAndCount(db, agent_id, factor, source_address, now, window_start,
                                            codes_kept_after));
  RecordedFailure recorded{.counted = counted.failures > 0,
                           .prior_failure_count_since = counted.failure_count_since,
                           .at = counted.at};
  if (counted.failures < std::max(1, options.lockout_threshold)) return recorded;

  int64_t until = now + options.lockout_duration.count();
  // Security: failures up to the end of the lock stop counting once it ends,
  // so an unlocked account gets the full threshold again, not one attempt.
  // Security: only an account that can still be locked. A password
  // failure's transaction is queued, not serializable (login.cc): a
  // suspension, reset or disabling committed since the count must not be
  // overwritten by a lock that lapses into an active account.
  ASSIGN_OR_RETURN(store::Statement * lock,
                   db.Prepare("UPDATE agent SET status = 'locked', locked_until = $2, "
                              "failure_count_since = $2, updated_at = $3 WHERE id = $1 AND "
                              "(status = 'active' OR (status = 'locked' AND locked_until <= $3))"));
  lock->BindInt(1, agent_id).BindInt(2, until).BindInt(3, now);
  ASSIGN_OR_RETURN(int64_t locked, lock->Run());
  recorded.locked = locked == 1;
  if (recorded.locked) recorded.locked_until = until;
  return recorded;
}

Result<void> WithdrawPasswordFailure(store::Connection& db, int64_t agent_id,
                                     const RecordedFailure& failure,
                                     std::string_view source_address, int64_t now) {
  // One row: another attempt from the same address in the same second may
  // have failed for real.
  const std::string_view row_id = db.dialect() == store::Dialect::kPostgres ? "ctid" : "rowid";
  const std::string sql = "DELETE FROM login_failure WHERE " + std::string(row_id) +
                          " IN (SELECT " + std::string(row_id) +
                          " FROM login_failure WHERE agent_id = $1 AND at = $2 AND factor = "
                          "'password' AND source_address = $3 LIMIT 1)";
  ASSIGN_OR_RETURN(store::Statement * drop, db.Prepare(sql));
  drop->BindInt(1, agent_id).BindInt(2, failure.at).BindText(3, source_address.substr(0, 64));
  RETURN_IF_ERROR(drop->Run());
  if (!failure.locked) return {};
  ASSIGN_OR_RETURN(store::Statement * unlock,
                   db.Prepare("UPDATE agent SET status = 'active', locked_until = 0, "
                              "failure_count_since = $3, updated_at = $4 WHERE id = $1 AND "
                              "status = 'locked' AND locked_until = $2"));
  unlock->BindInt(1, agent_id).BindInt(2, failure.locked_until);
  unlock->BindInt(3, failure.prior_failure_count_since).BindInt(4, now);
  RETURN_IF_ERROR(unlock->Run());
  return {};
}

Result<void> RecordUnknownLoginFailure(store::Connection& db, std::string_view source_address,
                                       int64_t now) {
  ASSIGN_OR_RETURN(store::Statement * insert,
                   db.Prepare("INSERT INTO unknown_login_failure (at, source_address) "
                              "VALUES ($1, $2)"));
  insert->BindInt(1, now).BindText(2, source_address.substr(0, 64));
  RETURN_IF_ERROR(insert->Run());
  return {};
}

Result<void> PruneUnknownLoginFailures(store::Connection& db, int64_t now,
                                       const IdentityOptions& options) {
  ASSIGN_OR_RETURN(store::Statement * prune,
                   db.Prepare("DELETE FROM unknown_login_failure WHERE at <= $1"));
  prune->BindInt(1, now - options.lockout_window.count());
  RETURN_IF_ERROR(prune->Run());
  return {};
}

Result<int64_t> SecondFactorFailuresInLock(store::Connection& db, int64_t agent_id,
                                           int64_t locked_until, const IdentityOptions& options) {
  // The lock began at locked_until - duration; what it counted lies within
  // the window before that (and the failures since are counted too).
  const int64_t since =
      locked_until - options.lockout_duration.count() - options.lockout_window.count();
  ASSIGN_OR_RETURN(store::Statement * find,
                   db.Prepare("SELECT count(*) FROM login_failure WHERE agent_id = $1 AND "
                              "factor <> 'password' AND at > $2"));
  find->BindInt(1, agent_id).BindInt(2, since);
  ASSIGN_OR_RETURN(bool row, find->Step());
  const int64_t counted = row ? find->ColumnInt(0) : 0;
  RETURN_IF_ERROR(find->Run());
  return counted;
}

Result<void> ForgetLoginFailures(store::Connection& db, int64_t agent_id) {
  ASSIGN_OR_RETURN(store::Statement * forget,
                   db.Prepare("DELETE FROM login_failure WHERE agent_id = $1"));
  forget->BindInt(1, agent_id);
  RETURN_IF_ERROR(forget->Run());
  return {};
}

}  // namespace vigie::identity::internal
