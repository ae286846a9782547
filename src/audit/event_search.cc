#include "audit/event_search.h"

#include <algorithm>

#include "audit/audit_event_codec.h"

namespace vigie::audit {

namespace {

// Events from this number on are not in the person index yet (see
// AuditLog): a person query scans them.
Result<int64_t> PersonIndexedUpTo(store::Connection& db) {
  ASSIGN_OR_RETURN(store::Statement * tip, db.Prepare("SELECT person_indexed FROM audit_tip"));
  ASSIGN_OR_RETURN(bool has_tip, tip->Step());
  int64_t indexed = has_tip ? tip->ColumnInt(0) : 0;
  while (true) {  // finish: no read snapshot left open
    ASSIGN_OR_RETURN(bool more, tip->Step());
    if (!more) break;
  }
  return indexed;
}

}  // namespace

Result<std::vector<AuditEvent>> FindEvents(store::Connection& db, const EventFilter& filter) {
  int64_t indexed_up_to = 0;
  if (filter.person_id) {
    ASSIGN_OR_RETURN(indexed_up_to, PersonIndexedUpTo(db));
  }
  // One statement for every filter: an absent criterion binds NULL and
  // matches everything. Parameterised throughout (DESIGN invariant 6).
  ASSIGN_OR_RETURN(
      store::Statement * rows,
      db.Prepare("SELECT event FROM audit_event WHERE sequence >= $1 AND time_us >= $2 "
                 "AND time_us <= $3 AND ($4 IS NULL OR agent_id = $4) "
                 "AND ($5 IS NULL OR unit_id = $5) AND ($6 IS NULL OR session_id = $6) "
                 "AND ($7 IS NULL OR source_address = $7) AND ($8 IS NULL OR type = $8) "
                 "AND ($9 IS NULL OR sequence >= $12 OR sequence IN (SELECT a.sequence FROM "
                 "audit_person_segment s JOIN audit_person_access a ON a.segment = s.segment "
                 "AND a.person_id = $9)) AND ($10 IS NULL OR terms_hash = $10) "
                 "ORDER BY sequence LIMIT $11"));
  auto bind_optional = [&](int index, const std::optional<int64_t>& value) {
    if (value) {
      rows->BindInt(index, *value);
    } else {
      rows->BindNull(index);
    }
  };
  rows->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(filter.after_sequence, INT64_MAX)))
      .BindInt(2, filter.since_unix_micros)
      .BindInt(3, filter.until_unix_micros);
  bind_optional(4, filter.agent_id);
  bind_optional(5, filter.unit_id);
  bind_optional(6, filter.session_id);
  if (filter.source_address) {
    rows->BindText(7, *filter.source_address);
  } else {
    rows->BindNull(7);
  }
  bind_optional(
      8, filter.type ? std::optional<int64_t>(static_cast<int64_t>(*filter.type)) : std::nullopt);
  bind_optional(9, filter.person_id);
  if (filter.terms_hash) {
    rows->BindBlob(10, *filter.terms_hash);
  } else {
    rows->BindNull(10);
  }
  // With a person, the unindexed tail is filtered after decoding, so the
  // limit applies then.
  rows->BindInt(
      11, filter.person_id ? -1 : static_cast<int64_t>(std::min<size_t>(filter.limit, INT64_MAX)));
  rows->BindInt(12, indexed_up_to);
  std::vector<AuditEvent> events;
  while (events.size() < filter.limit) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    ASSIGN_OR_RETURN(AuditEvent event, DecodeAuditEvent(rows->ColumnBlob(0)));
    if (filter.person_id && static_cast<int64_t>(event.sequence) >= indexed_up_to &&
        std::find(event.person_ids.begin(), event.person_ids.end(), *filter.person_id) ==
            event.person_ids.end()) {
      continue;
    }
    events.push_back(std::move(event));
  }
  // Finish the statement (no read snapshot left open): bounded, since the SQL
  // limit holds without a person, and with one the rows left are the
  // person's accesses plus the unindexed tail.
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
  }
  return events;
}

}  // namespace vigie::audit
