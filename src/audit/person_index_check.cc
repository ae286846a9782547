#include "audit/person_index_check.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>
#include <tuple>

#include "audit/audit_event_codec.h"
#include "audit/event_scan.h"
#include "audit/person_index.h"

namespace vigie::audit {
namespace {

std::string Chunk(uint64_t segment, int64_t first_person) {
  return "the person index chunk of segment " + std::to_string(segment) + " from person " +
         std::to_string(first_person);
}

// Named only when something is wrong: a chunk read fine costs no string.
IndexProblem ChunkProblem(uint64_t segment, const PersonChunkView& chunk, std::string_view what) {
  return {{segment, chunk.first_person}, Chunk(segment, chunk.first_person) + std::string(what)};
}

// The chunks of segments from `from` (below `to`, if given), in the order
// a segment's query relies on.
Result<store::Statement*> ChunksFrom(store::Connection& db, uint64_t from,
                                     std::optional<uint64_t> to) {
  constexpr std::string_view kColumns =
      "SELECT segment, first_person, last_person, pairs FROM audit_person_chunk ";
  ASSIGN_OR_RETURN(store::Statement * rows, db.Prepare(std::string(kColumns) +
                                                       (to ? "WHERE segment >= $1 AND segment < $2 "
                                                           : "WHERE segment >= $1 ") +
                                                       "ORDER BY segment, first_person"));
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  rows->BindInt(1, static_cast<int64_t>(std::min(from, kMax)));
  if (to) rows->BindInt(2, static_cast<int64_t>(std::min(*to, kMax)));
  return rows;
}

// The first row of the person index (SQLite) not stored as the writer
// stores it, named; nullopt if none.
// `legacy_read`: queries still read the old rows (past the chunks), so
// they are checked too; once the chunks cover them, nothing reads them.
Result<std::optional<std::string>> FirstStoredAsAnotherType(store::Connection& db, bool has_chunks,
                                                            bool legacy_read) {
  struct Table {
    std::string_view name, check;
  };
  static constexpr Table kTables[] = {
      {"audit_person_chunk",
       "typeof(segment) = 'integer' AND typeof(first_person) = 'integer' AND "
       "typeof(last_person) = 'integer' AND typeof(pairs) = 'blob'"},
      {"audit_person_access",
       "typeof(segment) = 'integer' AND typeof(person_id) = 'integer' AND "
       "typeof(sequence) = 'integer'"},
  };
  for (const Table& table : kTables) {
    if (!has_chunks && table.name == "audit_person_chunk") continue;  // no such table yet
    if (!legacy_read && table.name == "audit_person_access") continue;
    ASSIGN_OR_RETURN(store::Statement * row,
                     db.Prepare("SELECT CAST(segment AS TEXT) FROM " + std::string(table.name) +
                                " WHERE NOT (" + std::string(table.check) + ") LIMIT 1"));
    ASSIGN_OR_RETURN(bool found, row->Step());
    if (!found) continue;
    std::string named = std::string(table.name) + " holds a row (segment " +
                        std::string(row->ColumnText(0)) +
                        ") stored as another type than the writer's: queries compare it as "
                        "stored and may read it in place of the real one (it was written by hand)";
    RETURN_IF_ERROR(row->Run());
    return named;
  }
  return std::optional<std::string>();
}

}  // namespace

void PersonAccessTally::Add(const PersonAccess& access) {
  const uint64_t range = access.sequence / kRangeEvents;
  if (range >= digests_.size()) digests_.resize(range + 1);
  Digest& digest = digests_[range];
  digest.sum += hasher_.HashWords(static_cast<uint64_t>(access.person_id), access.sequence);
  ++digest.count;
}

void PersonAccessTally::AddEvent(const AuditEvent& event) {
  persons_.assign(event.person_ids.begin(), event.person_ids.end());
  std::sort(persons_.begin(), persons_.end());
  persons_.erase(std::unique(persons_.begin(), persons_.end()), persons_.end());
  for (int64_t person : persons_) Add({person, event.sequence});
}

void PersonAccessTally::Merge(const PersonAccessTally& other) {
  if (other.digests_.size() > digests_.size()) digests_.resize(other.digests_.size());
  for (size_t i = 0; i < other.digests_.size(); ++i) {
    digests_[i].sum += other.digests_[i].sum;
    digests_[i].count += other.digests_[i].count;
  }
}

std::optional<uint64_t> PersonAccessTally::FirstDifference(const PersonAccessTally& a,
                                                           const PersonAccessTally& b) {
  const size_t ranges = std::max(a.digests_.size(), b.digests_.size());
  for (size_t i = 0; i < ranges; ++i) {
    const Digest none;
    const Digest& left = i < a.digests_.size() ? a.digests_[i] : none;
    const Digest& right = i < b.digests_.size() ? b.digests_[i] : none;
    if (left != right) return i * kRangeEvents;
  }
  return std::nullopt;
}

Result<StoredPersonIndex> StoredPersonIndex::Open(store::Connection& db,
                                                  const crypto::SearchKeyHasher& hasher,
                                                  uint64_t log_size) {
  ASSIGN_OR_RETURN(PersonIndexBounds bounds, ReadPersonIndexBounds(db));
  StoredPersonIndex index(hasher);
  // A bound past the log would also hide what is appended next: queries
  // scan only the events past the index.
  for (const uint64_t bound : {bounds.chunked, bounds.legacy_to}) {
    if (bound > log_size) {
      index.Found("audit_tip says the person index covers " + std::to_string(bound) +
                  " events, but the log has " + std::to_string(log_size) +
                  ": the events appended next would be missing from \"who consulted\" "
                  "answers (the tip was changed)");
      return index;
    }
  }
  // Security: SQLite keeps a value of another type in an INTEGER column
  // (30.5, '7x') and its queries compare it as stored, where this check
  // reads it as an integer: a chunk "from person 30.5" beside the real one
  // from 30 is the one a query for 35 reads, read here as a harmless
  // neighbour. The writer stores integers and blobs only, so any other row
  // is named. PostgreSQL's BIGINT columns hold nothing else.
  if (db.dialect() == store::Dialect::kSqlite) {
    ASSIGN_OR_RETURN(
        std::optional<std::string> odd,
        FirstStoredAsAnotherType(db, bounds.has_chunks,
                                 bounds.legacy_to > (bounds.has_chunks ? bounds.chunked : 0)));
    if (odd) {
      index.Found(*odd);
      return index;
    }
  }
  index.has_chunks_ = bounds.has_chunks;
  index.chunked_ = bounds.has_chunks ? bounds.chunked : 0;
  index.own_.chunked_ = index.chunked_;
  index.legacy_to_ = bounds.legacy_to;
  ASSIGN_OR_RETURN(store::Statement * segments,
                   db.Prepare("SELECT segment FROM audit_person_segment ORDER BY segment"));
  while (true) {
    ASSIGN_OR_RETURN(bool more, segments->Step());
    if (!more) break;
    index.listed_.push_back(segments->ColumnInt(0));
  }
  if (!index.has_chunks_) return index;
  ASSIGN_OR_RETURN(store::Statement * lowest,
                   db.Prepare("SELECT min(segment) FROM audit_person_chunk"));
  ASSIGN_OR_RETURN(bool has_row, lowest->Step());
  if (has_row && !lowest->ColumnIsNull(0) && lowest->ColumnInt(0) < 0) {
    index.Found("the person index has a chunk in segment " + std::to_string(lowest->ColumnInt(0)) +
                ", which no event starts");
  }
  RETURN_IF_ERROR(lowest->Run());
  return index;
}

Result<void> StoredPersonIndex::ReadSegmentsBelow(store::Connection& db, uint64_t end,
                                                  const HandOff& hand_off) {
  if (problem_ || !has_chunks_ || end <= next_segment_) return {};
  ASSIGN_OR_RETURN(store::Statement * rows, ChunksFrom(db, next_segment_, end));
  next_segment_ = end;
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (!more) break;
    if (problem_) continue;  // to the end: no read left open
    Read(static_cast<uint64_t>(rows->ColumnInt(0)),
         {rows->ColumnInt(1), rows->ColumnInt(2), rows->ColumnBlob(3)}, hand_off);
  }
  return {};
}

Result<void> StoredPersonIndex::ReadTheRest(store::Connection& db) {
  if (problem_) return {};
  if (has_chunks_) {
    ASSIGN_OR_RETURN(store::Statement * rows, ChunksFrom(db, next_segment_, std::nullopt));
    next_segment_ = UINT64_MAX;
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      if (problem_) continue;
      Read(static_cast<uint64_t>(rows->ColumnInt(0)),
           {rows->ColumnInt(1), rows->ColumnInt(2), rows->ColumnBlob(3)}, {});
    }
    if (problem_) return {};
  }
  return ForEachLegacyPair(db, chunked_, legacy_to_,
                           [&](const PersonAccess& pair) { own_.tally_.Add(pair); });
}

void StoredPersonIndex::Read(uint64_t segment, const PersonChunkView& chunk,
                             const HandOff& hand_off) {
  auto found = [&](std::string_view what) { problem_ = ChunkProblem(segment, chunk, what); };
  const auto listed = static_cast<int64_t>(segment);
  if (!std::binary_search(listed_.begin(), listed_.end(), listed)) {
    return found(
        " is in no listed segment: queries never read it (audit_person_segment was changed)");
  }
  if (segment >= chunked_) {
    return found(" is past the " + std::to_string(chunked_) + " events the index covers");
  }
  // A query reads, in a segment, only the chunk with the largest first
  // person not above the one asked for.
  if (previous_segment_ == listed && *previous_last_person_ >= chunk.first_person) {
    return found(" overlaps the segment's previous chunk: queries would miss some of their pairs");
  }
  previous_segment_ = listed;
  previous_last_person_ = chunk.last_person;
  if (hand_off && hand_off(segment, chunk)) return;
  own_.Add(segment, chunk);
  if (own_.problem_) problem_ = own_.problem_;
}

void ChunkTally::Add(uint64_t segment, const PersonChunkView& chunk) {
  if (problem_) return;
  auto found = [&](std::string_view what) { problem_ = ChunkProblem(segment, chunk, what); };
  pairs_.clear();
  if (auto decoded = DecodeChunk(chunk, segment, pairs_); !decoded) {
    return found(" does not hold what the writer writes: " + decoded.error().message());
  }
  // A segment holds at most kMaxSegmentEvents events: this also bounds
  // the tally by the events the scan has read.
  const uint64_t segment_end = std::min(chunked_, segment + kMaxSegmentEvents);
  for (const PersonAccess& pair : pairs_) {
    if (pair.sequence >= segment_end) {
      return found(" names event " + std::to_string(pair.sequence) + ", past " +
                   (segment_end == chunked_
                        ? "the " + std::to_string(chunked_) + " events the index covers"
                        : "its segment's " + std::to_string(kMaxSegmentEvents) + " events"));
    }
    tally_.Add(pair);
  }
}

void StoredPersonIndex::Found(std::string text) {
  problem_ = IndexProblem{{0, std::numeric_limits<int64_t>::min()}, std::move(text)};
}

void StoredPersonIndex::Absorb(const ChunkTally& handed) {
  own_.tally_.Merge(handed.tally_);
  if (handed.problem_ && (!problem_ || handed.problem_->at < problem_->at)) {
    problem_ = handed.problem_;
  }
}

std::optional<std::string> StoredPersonIndex::problem() const {
  if (!problem_) return std::nullopt;
  return problem_->text;
}

Result<void> StoredPersonIndex::ForEachLegacyPair(
    store::Connection& db, uint64_t from, uint64_t to,
    const std::function<void(const PersonAccess&)>& pair) const {
  if (from >= to) return {};
  // A segment at a time: PostgreSQL returns a statement's rows at once.
  for (const int64_t segment : listed_) {
    ASSIGN_OR_RETURN(store::Statement * rows,
                     db.Prepare("SELECT person_id, sequence FROM audit_person_access "
                                "WHERE segment = $1 AND sequence >= $2 AND sequence < $3"));
    rows->BindInt(1, segment)
        .BindInt(2, static_cast<int64_t>(from))
        .BindInt(3, static_cast<int64_t>(to));
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      pair({rows->ColumnInt(0), static_cast<uint64_t>(rows->ColumnInt(1))});
    }
  }
  return {};
}

Result<std::string> StoredPersonIndex::DescribeDifference(store::Connection& db, uint64_t begin,
                                                          uint64_t end) const {
  end = std::min(end, indexed());
  std::vector<PersonAccess> expected;
  RETURN_IF_ERROR(
      ScanEvents(db, EventColumns::kEvent, begin, end, [&](store::Statement& row) -> Result<bool> {
        ASSIGN_OR_RETURN(AuditEvent event, DecodeAuditEvent(row.ColumnBlob(1)));
        for (int64_t person : event.person_ids) {
          expected.push_back({person, event.sequence});
        }
        return true;
      }));
  std::vector<PersonAccess> stored, chunk_pairs;
  auto keep = [&](const PersonAccess& pair) {
    if (pair.sequence >= begin && pair.sequence < end) stored.push_back(pair);
  };
  // A pair's segment is at most kMaxSegmentEvents before it (Read checked).
  const uint64_t chunks_from = begin > kMaxSegmentEvents ? begin - kMaxSegmentEvents : 0;
  if (has_chunks_ && begin < chunked_) {
    ASSIGN_OR_RETURN(store::Statement * rows, ChunksFrom(db, chunks_from, end));
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      chunk_pairs.clear();
      const auto segment = static_cast<uint64_t>(rows->ColumnInt(0));
      RETURN_IF_ERROR(DecodeChunk({rows->ColumnInt(1), rows->ColumnInt(2), rows->ColumnBlob(3)},
                                  segment, chunk_pairs));
      for (const PersonAccess& pair : chunk_pairs) keep(pair);
    }
  }
  RETURN_IF_ERROR(
      ForEachLegacyPair(db, std::max(begin, chunked_), std::min(end, legacy_to_), keep));
  // By event, then person: the first difference in the log's order.
  auto by_event = [](const PersonAccess& a, const PersonAccess& b) {
    return std::tie(a.sequence, a.person_id) < std::tie(b.sequence, b.person_id);
  };
  for (auto* pairs : {&expected, &stored}) {
    std::sort(pairs->begin(), pairs->end(), by_event);
    pairs->erase(std::unique(pairs->begin(), pairs->end()), pairs->end());
  }
  auto [e, s] = std::mismatch(expected.begin(), expected.end(), stored.begin(), stored.end());
  const bool omitted = e != expected.end() && (s == stored.end() || by_event(*e, *s));
  const bool invented = s != stored.end() && (e == expected.end() || by_event(*s, *e));
  if (omitted) {
    return "the person index omits that event " + std::to_string(e->sequence) +
           " returned person " + std::to_string(e->person_id) +
           ": \"who consulted\" answers for that person would not list it (the index was "
           "changed)";
  }
  if (invented) {
    return "the person index says event " + std::to_string(s->sequence) + " returned person " +
           std::to_string(s->person_id) + ", which it did not (the index was changed)";
  }
  // Sets equal once sorted: a pair stored twice.
  return "the person index holds a pair twice among events " + std::to_string(begin) + " to " +
         std::to_string(end - 1) + " (the index was changed)";
}

}  // namespace vigie::audit
