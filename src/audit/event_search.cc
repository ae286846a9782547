#include "audit/event_search.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "audit/audit_event_codec.h"
#include "audit/person_index.h"

namespace vigie::audit {
namespace {

// A list of sequences as one parameter: a JSON array for SQLite's
// json_each, an array literal for PostgreSQL.
std::string SequenceList(store::Dialect dialect, std::span<const uint64_t> sequences) {
  const bool sqlite = dialect == store::Dialect::kSqlite;
  std::string list(1, sqlite ? '[' : '{');
  for (uint64_t sequence : sequences) {
    if (list.size() > 1) list += ',';
    list += std::to_string(sequence);
  }
  list += sqlite ? ']' : '}';
  return list;
}

}  // namespace

Result<std::vector<AuditEvent>> FindEvents(store::Connection& db, const EventFilter& filter) {
  int64_t indexed_up_to = 0;
  std::string person_sequences;  // the index's answer, as a list for the statement
  if (filter.person_id) {
    ASSIGN_OR_RETURN(IndexedAccesses found, IndexedAccessesOf(db, *filter.person_id));
    indexed_up_to = static_cast<int64_t>(found.indexed_up_to);
    const std::vector<uint64_t>& indexed = found.sequences;
    // Only the page's stretch goes into the statement (pages of a person's
    // accesses would otherwise each send all of them).
    auto first = std::lower_bound(indexed.begin(), indexed.end(), filter.after_sequence);
    auto last = std::lower_bound(first, indexed.end(), filter.before_sequence);
    person_sequences = SequenceList(db.dialect(), std::span<const uint64_t>(first, last));
  }
  // Only the criteria given go into the statement, so SQLite can use the
  // index that fits (agent, unit, time, the person's list); an "x IS NULL
  // OR" form would scan the whole log. The fragments are constants and
  // every value is a parameter (DESIGN invariant 6).
  std::string sql = "SELECT event FROM audit_event WHERE sequence >= $1";
  std::vector<std::function<void(store::Statement&, int)>> binders;
  auto where = [&](std::string_view fragment_before, std::string_view fragment_after,
                   std::function<void(store::Statement&, int)> bind) {
    binders.push_back(std::move(bind));
    sql += " AND " + std::string(fragment_before) + "$" + std::to_string(binders.size() + 1) +
           std::string(fragment_after);
  };
  auto int_value = [](int64_t value) {
    return [value](store::Statement& s, int i) { s.BindInt(i, value); };
  };
  if (filter.before_sequence < static_cast<uint64_t>(INT64_MAX)) {
    where("sequence < ", "", int_value(static_cast<int64_t>(filter.before_sequence)));
  }
  if (filter.since_unix_micros > 0) where("time_us >= ", "", int_value(filter.since_unix_micros));
  if (filter.until_unix_micros < std::numeric_limits<int64_t>::max()) {
    where("time_us <= ", "", int_value(filter.until_unix_micros));
  }
  if (filter.agent_id) where("agent_id = ", "", int_value(*filter.agent_id));
  if (filter.unit_id) where("unit_id = ", "", int_value(*filter.unit_id));
  if (filter.session_id) where("session_id = ", "", int_value(*filter.session_id));
  if (filter.source_address) {
    where("source_address = ", "", [address = *filter.source_address](store::Statement& s, int i) {
      s.BindText(i, address);
    });
  }
  if (filter.type) where("type = ", "", int_value(static_cast<int64_t>(*filter.type)));
  if (filter.terms_hash) {
    where("terms_hash = ", "",
          [hash = *filter.terms_hash](store::Statement& s, int i) { s.BindBlob(i, hash); });
  }
  if (filter.person_id) {
    // The index's sequences, plus the tail not indexed yet (filtered below).
    where(
        db.dialect() == store::Dialect::kSqlite ? "sequence IN (SELECT value FROM json_each("
                                                : "sequence IN (SELECT unnest(CAST(",
        (db.dialect() == store::Dialect::kSqlite ? std::string(")")
                                                 : std::string(" AS BIGINT[]))")) +
            " UNION ALL SELECT sequence FROM audit_event WHERE sequence >= $" +
            std::to_string(binders.size() + 3) + ")",
        [list = std::move(person_sequences)](store::Statement& s, int i) { s.BindText(i, list); });
    binders.push_back(int_value(indexed_up_to));
  }
  // Newest first walks the agent (or unit, or time) index backwards and
  // stops at the limit.
  sql += filter.newest_first ? " ORDER BY time_us DESC, sequence DESC" : " ORDER BY sequence";
  sql += " LIMIT $" + std::to_string(binders.size() + 2);
  ASSIGN_OR_RETURN(store::Statement * rows, db.Prepare(sql));
  rows->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(filter.after_sequence, INT64_MAX)));
  for (size_t i = 0; i < binders.size(); ++i) binders[i](*rows, static_cast<int>(i) + 2);
  // With a person, events are filtered after decoding (the unindexed tail,
  // and whatever the derived index claims: it may only lose events, never
  // add one), so the limit applies then.
  rows->BindInt(static_cast<int>(binders.size()) + 2,
                filter.person_id ? INT64_MAX
                                 : static_cast<int64_t>(std::min<size_t>(filter.limit, INT64_MAX)));
  std::vector<AuditEvent> events;
  while (events.size() < filter.limit) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    ASSIGN_OR_RETURN(AuditEvent event, DecodeAuditEvent(rows->ColumnBlob(0)));
    if (filter.person_id && std::find(event.person_ids.begin(), event.person_ids.end(),
                                      *filter.person_id) == event.person_ids.end()) {
      continue;
    }
    events.push_back(std::move(event));
  }
  // To its end (no read snapshot left open): bounded, since the SQL limit
  // holds without a person, and with one the rows left are the person's
  // accesses plus the unindexed tail.
  RETURN_IF_ERROR(rows->Run());
  return events;
}

}  // namespace vigie::audit
