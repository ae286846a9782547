#include "audit/event_search.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
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

// The statement selecting `columns` of the events `filter` names, and how
// to bind its parameters.
struct Selection {
  std::string sql;
  std::vector<std::function<void(store::Statement&, int)>> binders;
  size_t limit;

  Result<store::Statement*> Prepare(store::Connection& db, const EventFilter& filter) const {
    ASSIGN_OR_RETURN(store::Statement * rows, db.Prepare(sql));
    rows->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(filter.after_sequence, INT64_MAX)));
    for (size_t i = 0; i < binders.size(); ++i) binders[i](*rows, static_cast<int>(i) + 2);
    rows->BindInt(static_cast<int>(binders.size()) + 2,
                  static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    return rows;
  }
};

// `person_sequences`: the person index's answer within the filter's
// stretch, as a list for the statement; `indexed_up_to`: where the index
// ends and the tail to scan begins.
Selection Select(store::Dialect dialect, std::string_view columns, const EventFilter& filter,
                 std::string person_sequences, int64_t indexed_up_to) {
  // Only the criteria given go into the statement, so SQLite can use the
  // index that fits (agent, unit, time, the person's list); an "x IS NULL
  // OR" form would scan the whole log. The fragments are constants and
  // every value is a parameter (DESIGN invariant 6).
  Selection selection;
  std::string& sql = selection.sql;
  auto& binders = selection.binders;
  sql = "SELECT " + std::string(columns) + " FROM audit_event WHERE sequence >= $1";
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
  if (filter.types_below) {
    where("type < ", "", int_value(static_cast<int64_t>(*filter.types_below)));
  }
  if (filter.terms_hash) {
    where("terms_hash = ", "",
          [hash = *filter.terms_hash](store::Statement& s, int i) { s.BindBlob(i, hash); });
  }
  if (filter.person_id) {
    // The index's sequences, plus the tail not indexed yet (filtered after
    // decoding).
    where(
        dialect == store::Dialect::kSqlite ? "sequence IN (SELECT value FROM json_each("
                                           : "sequence IN (SELECT unnest(CAST(",
        (dialect == store::Dialect::kSqlite ? std::string(")") : std::string(" AS BIGINT[]))")) +
            " UNION ALL SELECT sequence FROM audit_event WHERE sequence >= $" +
            std::to_string(binders.size() + 3) + ")",
        [list = std::move(person_sequences)](store::Statement& s, int i) { s.BindText(i, list); });
    binders.push_back(int_value(indexed_up_to));
  }
  // Newest first walks the agent (or unit, or time) index backwards and
  // stops at the limit.
  sql += filter.newest_first ? " ORDER BY time_us DESC, sequence DESC" : " ORDER BY sequence";
  sql += " LIMIT $" + std::to_string(binders.size() + 2);
  // With a person, events are filtered after decoding (the unindexed tail,
  // and whatever the derived index claims: it may only lose events, never
  // add one), so the limit applies then.
  selection.limit = filter.person_id ? INT64_MAX : filter.limit;
  return selection;
}

// Whether the indexes alone name the events, without reading one: ranges of
// (agent, time), (unit, time) or time. Then their sequences are selected
// first and the events read by sequence, on several connections when many.
bool IndexesSelect(const EventFilter& filter) {
  return !filter.person_id && !filter.session_id && !filter.source_address && !filter.type &&
         !filter.types_below && !filter.terms_hash;
}

// Whether a person's accesses are asked with nothing else but a stretch of
// sequences, in sequence order: the person index then names every event to
// read.
bool PersonAlone(const EventFilter& filter) {
  return filter.person_id && !filter.agent_id && !filter.unit_id && !filter.session_id &&
         !filter.source_address && !filter.type && !filter.types_below && !filter.terms_hash &&
         filter.since_unix_micros == 0 &&
         filter.until_unix_micros == std::numeric_limits<int64_t>::max() && !filter.newest_first;
}

// The events numbered `sequences` (distinct), in that order, their stored
// bytes kept when asked. Every one must exist: an index that names a
// missing event means a damaged log.
Result<std::vector<StoredEvent>> ReadEvents(store::Connection& db,
                                            std::span<const uint64_t> sequences,
                                            bool keep_encoded) {
  if (sequences.empty()) return std::vector<StoredEvent>{};
  std::vector<uint64_t> ascending(sequences.begin(), sequences.end());
  std::sort(ascending.begin(), ascending.end());
  if (std::adjacent_find(ascending.begin(), ascending.end()) != ascending.end()) {
    return Fail(ErrorCode::kInternal, "an event asked for twice");
  }
  ASSIGN_OR_RETURN(store::Statement * rows,
                   db.Prepare(db.dialect() == store::Dialect::kSqlite
                                  ? "SELECT sequence, event FROM audit_event WHERE sequence IN "
                                    "(SELECT value FROM json_each($1)) ORDER BY sequence"
                                  : "SELECT sequence, event FROM audit_event WHERE sequence = "
                                    "ANY(CAST($1 AS BIGINT[])) ORDER BY sequence"));
  rows->BindText(1, SequenceList(db.dialect(), ascending));
  std::vector<StoredEvent> found;
  found.reserve(ascending.size());
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    const auto sequence = static_cast<uint64_t>(rows->ColumnInt(0));
    if (found.size() == ascending.size() || sequence != ascending[found.size()]) break;
    const std::span<const uint8_t> encoded = rows->ColumnBlob(1);
    ASSIGN_OR_RETURN(AuditEvent event, DecodeAuditEvent(encoded));
    if (event.sequence != sequence) {
      return Fail(ErrorCode::kDataLoss,
                  "audit event " + std::to_string(sequence) + " holds another sequence number");
    }
    found.push_back({.encoded = keep_encoded ? std::vector<uint8_t>(encoded.begin(), encoded.end())
                                             : std::vector<uint8_t>{},
                     .event = std::move(event)});
  }
  RETURN_IF_ERROR(rows->Run());  // to its end: no read snapshot left open
  if (found.size() < ascending.size()) {
    return Fail(ErrorCode::kDataLoss, "audit event " + std::to_string(ascending[found.size()]) +
                                          " is listed by an index but missing from the log");
  }
  if (std::is_sorted(sequences.begin(), sequences.end())) return found;
  std::vector<StoredEvent> ordered;
  ordered.reserve(found.size());
  for (uint64_t sequence : sequences) {
    auto at = std::lower_bound(ascending.begin(), ascending.end(), sequence);
    ordered.push_back(std::move(found[at - ascending.begin()]));
  }
  return ordered;
}

// ReadEvents, in parts on connections of their own when many.
Result<std::vector<StoredEvent>> ReadInParallel(store::Connection& db,
                                                std::span<const uint64_t> sequences,
                                                const ParallelReading& parallel,
                                                bool keep_encoded) {
  return ReadInParts<StoredEvent>(
      db, sequences.size(), sequences.size(), parallel,
      [&](store::Connection& connection, size_t first, size_t last) {
        return ReadEvents(connection, sequences.subspan(first, last - first), keep_encoded);
      });
}

// The decoded events alone.
Result<std::vector<AuditEvent>> ReadDecoded(store::Connection& db,
                                            std::span<const uint64_t> sequences,
                                            const ParallelReading& parallel) {
  ASSIGN_OR_RETURN(std::vector<StoredEvent> stored,
                   ReadInParallel(db, sequences, parallel, /*keep_encoded=*/false));
  std::vector<AuditEvent> events;
  events.reserve(stored.size());
  for (StoredEvent& one : stored) events.push_back(std::move(one.event));
  return events;
}

bool Returned(const AuditEvent& event, int64_t person_id) {
  return std::find(event.person_ids.begin(), event.person_ids.end(), person_id) !=
         event.person_ids.end();
}

// The longest unindexed tail FindPersonAccesses lists: the writer keeps the
// index a few thousand events behind; a lost index is answered by one
// statement streaming the log instead.
constexpr size_t kMaxTail = 65'536;

// "Who consulted this person", with no other criterion and in sequence
// order: the index's sequences below where it ended, then the tail's, read
// by sequence. Each event is checked to have returned the person (the
// index may lose events, never add one), `filter.limit` at a time. Nothing
// (no value) when the tail is longer than kMaxTail.
Result<std::optional<std::vector<AuditEvent>>> FindPersonAccesses(store::Connection& db,
                                                                  const EventFilter& filter,
                                                                  IndexedAccesses indexed,
                                                                  const ParallelReading& parallel) {
  std::vector<uint64_t>& sequences = indexed.sequences;
  const uint64_t tail_from = std::max(filter.after_sequence, indexed.indexed_up_to);
  // The index went on while it was read: what it added is in the tail. A
  // forged chunk may repeat or disorder its entries.
  std::erase_if(sequences, [&](uint64_t sequence) {
    return sequence < filter.after_sequence || sequence >= tail_from ||
           sequence >= filter.before_sequence;
  });
  std::sort(sequences.begin(), sequences.end());
  sequences.erase(std::unique(sequences.begin(), sequences.end()), sequences.end());
  if (tail_from < filter.before_sequence) {
    ASSIGN_OR_RETURN(store::Statement * tail,
                     db.Prepare("SELECT sequence FROM audit_event WHERE sequence >= $1 AND "
                                "sequence < $2 ORDER BY sequence LIMIT $3"));
    tail->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(tail_from, INT64_MAX)))
        .BindInt(2, static_cast<int64_t>(std::min<uint64_t>(filter.before_sequence, INT64_MAX)))
        .BindInt(3, static_cast<int64_t>(kMaxTail) + 1);
    size_t tail_events = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool more, tail->Step());
      if (!more) break;
      sequences.push_back(static_cast<uint64_t>(tail->ColumnInt(0)));
      ++tail_events;
    }
    if (tail_events > kMaxTail) return std::optional<std::vector<AuditEvent>>();
  }
  std::vector<AuditEvent> events;
  for (size_t next = 0; next < sequences.size() && events.size() < filter.limit;) {
    const size_t take = std::min(sequences.size() - next, filter.limit - events.size());
    ASSIGN_OR_RETURN(
        std::vector<AuditEvent> read,
        ReadDecoded(db, std::span<const uint64_t>(sequences).subspan(next, take), parallel));
    next += take;
    for (AuditEvent& event : read) {
      if (Returned(event, *filter.person_id)) events.push_back(std::move(event));
    }
  }
  return events;
}

}  // namespace

Result<std::vector<AuditEvent>> FindEvents(store::Connection& db, const EventFilter& filter,
                                           const ParallelReading& parallel) {
  int64_t indexed_up_to = 0;
  std::string person_sequences;
  if (filter.person_id) {
    ASSIGN_OR_RETURN(IndexedAccesses found, IndexedAccessesOf(db, *filter.person_id));
    if (parallel.open && db.dialect() == store::Dialect::kSqlite && PersonAlone(filter)) {
      ASSIGN_OR_RETURN(std::optional<std::vector<AuditEvent>> accesses,
                       FindPersonAccesses(db, filter, found, parallel));
      if (accesses) return std::move(*accesses);
    }
    indexed_up_to = static_cast<int64_t>(found.indexed_up_to);
    const std::vector<uint64_t>& indexed = found.sequences;
    // Only the page's stretch goes into the statement (pages of a person's
    // accesses would otherwise each send all of them).
    auto first = std::lower_bound(indexed.begin(), indexed.end(), filter.after_sequence);
    auto last = std::lower_bound(first, indexed.end(), filter.before_sequence);
    person_sequences = SequenceList(db.dialect(), std::span<const uint64_t>(first, last));
  }
  const bool by_sequences =
      parallel.open && db.dialect() == store::Dialect::kSqlite && IndexesSelect(filter);
  const Selection selection = Select(db.dialect(), by_sequences ? "sequence" : "sequence, event",
                                     filter, std::move(person_sequences), indexed_up_to);
  ASSIGN_OR_RETURN(store::Statement * rows, selection.Prepare(db, filter));
  if (by_sequences) {
    std::vector<uint64_t> sequences;
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      sequences.push_back(static_cast<uint64_t>(rows->ColumnInt(0)));
    }
    return ReadDecoded(db, sequences, parallel);
  }
  std::vector<AuditEvent> events;
  while (events.size() < filter.limit) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    ASSIGN_OR_RETURN(AuditEvent event, DecodeAuditEvent(rows->ColumnBlob(1)));
    // Callers page on the events' numbers: one holding another number
    // would make them skip events, or loop.
    if (event.sequence != static_cast<uint64_t>(rows->ColumnInt(0))) {
      return Fail(ErrorCode::kDataLoss, "audit event " + std::to_string(rows->ColumnInt(0)) +
                                            " holds another sequence number");
    }
    if (filter.person_id && !Returned(event, *filter.person_id)) continue;
    events.push_back(std::move(event));
  }
  // To its end (no read snapshot left open): bounded, since the SQL limit
  // holds without a person, and with one the rows left are the person's
  // accesses plus the unindexed tail.
  RETURN_IF_ERROR(rows->Run());
  return events;
}

Result<std::vector<StoredEvent>> ReadStoredEvents(store::Connection& db,
                                                  std::span<const uint64_t> sequences,
                                                  const ParallelReading& parallel) {
  return ReadInParallel(db, sequences, parallel, /*keep_encoded=*/true);
}

Result<void> StreamEvents(store::Connection& db, EventFilter filter, size_t page,
                          const std::function<void(const AuditEvent&)>& each,
                          const ParallelReading& parallel) {
  if (filter.newest_first || page == 0) {
    return Fail(ErrorCode::kInvalidArgument, "events stream in sequence order, a page at a time");
  }
  for (size_t left = filter.limit; left > 0;) {
    filter.limit = std::min(left, page);
    ASSIGN_OR_RETURN(std::vector<AuditEvent> events, FindEvents(db, filter, parallel));
    for (const AuditEvent& event : events) each(event);
    if (events.size() < filter.limit) break;
    left -= events.size();
    filter.after_sequence = events.back().sequence + 1;
  }
  return {};
}

}  // namespace vigie::audit
