#include "audit/event_search.h"

#include "audit/audit_event_codec.h"

namespace vigie::audit {

Result<std::vector<AuditEvent>> FindEvents(store::Connection& db, const EventFilter& filter) {
  // One statement for every filter: an absent criterion binds NULL and
  // matches everything. Parameterised throughout (DESIGN invariant 6).
  ASSIGN_OR_RETURN(
      store::Statement * rows,
      db.Prepare("SELECT event FROM audit_event WHERE sequence >= $1 AND time_us >= $2 "
                 "AND time_us <= $3 AND ($4 IS NULL OR agent_id = $4) "
                 "AND ($5 IS NULL OR unit_id = $5) AND ($6 IS NULL OR session_id = $6) "
                 "AND ($7 IS NULL OR source_address = $7) AND ($8 IS NULL OR type = $8) "
                 "AND ($9 IS NULL OR sequence IN (SELECT sequence FROM audit_person_access "
                 "WHERE person_id = $9)) AND ($10 IS NULL OR terms_hash = $10) "
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
  rows->BindInt(11, static_cast<int64_t>(std::min<size_t>(filter.limit, INT64_MAX)));
  std::vector<AuditEvent> events;
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    ASSIGN_OR_RETURN(AuditEvent event, DecodeAuditEvent(rows->ColumnBlob(0)));
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace vigie::audit
