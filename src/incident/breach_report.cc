#include "incident/breach_report.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <future>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "audit/audit_event_codec.h"
#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "audit/event_export.h"
#include "audit/event_search.h"
#include "audit/hash_chain.h"
#include "audit/log_tables.h"
#include "audit/merkle_verify.h"
#include "crypto/signing.h"
#include "incident/breach_proofs.h"
#include "policy/purpose.h"

namespace vigie::incident {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;

constexpr int64_t kHourMicros = int64_t{3'600'000'000};

// What records::PersonSummary and records::PersonFile carry, as
// policy::MinimiseSearchResult / MinimisePersonFile leave them.
constexpr std::string_view kIdentitySummary[] = {"surname", "given_names", "birth_date",
                                                 "birth_place"};
constexpr std::string_view kIdentityFull[] = {"external_id", "surname", "given_names", "birth_date",
                                              "birth_place", "sex",     "nationality", "aliases"};
constexpr std::string_view kWantedSummary[] = {"wanted_flag"};
constexpr std::string_view kWantedFull[] = {"reason",     "issuing_authority", "reference",
                                            "valid_from", "valid_until",       "conduct"};
constexpr std::string_view kRecordsSummary[] = {"record_entry_count"};
constexpr std::string_view kRecordsFull[] = {"offence_category", "date", "role", "case_reference",
                                             "recording_service"};
// What an investigation's answer names: subjects.csv's columns (a claim
// check confirms the sample's, at most these).
constexpr std::string_view kIdentityNamed[] = {"surname", "given_names", "birth_date"};

// Security: unknown purposes count as reaching criminal records (a report
// errs towards exposure).
bool MayShowRecordCount(std::string_view purpose) {
  auto parsed = policy::ParsePurpose(purpose);
  return !parsed || policy::PurposeAllowsCriminalRecords(*parsed);
}

struct Selected {
  std::vector<uint8_t> encoded;
  AuditEvent event;
};

Result<Selected> Decode(store::Statement& row) {
  std::span<const uint8_t> blob = row.ColumnBlob(3);
  Selected selected{.encoded = std::vector<uint8_t>(blob.begin(), blob.end()), .event = {}};
  ASSIGN_OR_RETURN(selected.event, audit::DecodeAuditEvent(selected.encoded));
  if (selected.event.sequence != static_cast<uint64_t>(row.ColumnInt(0))) {
    return Fail(ErrorCode::kDataLoss, "audit event " + std::to_string(row.ColumnInt(0)) +
                                          " holds another sequence number");
  }
  return selected;
}

// An investigation's read that named no one (its scope, a refusal) showed
// no personal data: not counted, not even as an attempt.
bool ShowsPersons(const AuditEvent& event) {
  return event.type != AuditEventType::kAuditSearch || !event.person_ids.empty();
}

// BreachOptions::max_events: 0 for none.
Result<void> WithinLimit(uint64_t events, uint64_t max_events) {
  if (max_events == 0 || events <= max_events) return {};
  return Fail(ErrorCode::kInvalidArgument,
              "the scope holds more than " + std::to_string(max_events) +
                  " events: narrow it (a shorter window, fewer agents), or run `vigie breach "
                  "report` on the server");
}

// Consultations in the window, matching `keep` (given the row's sequence,
// session and address columns and a way to decode it), into `out`. Returns
// how many rows were read.
template <typename Keep>
Result<uint64_t> Collect(store::Statement& rows, Keep keep, uint64_t max_events,
                         std::map<uint64_t, Selected>& out) {
  for (uint64_t read = 0;; ++read) {
    ASSIGN_OR_RETURN(bool more, rows.Step());
    if (!more) return read;
    const auto sequence = static_cast<uint64_t>(rows.ColumnInt(0));
    if (out.contains(sequence)) continue;
    ASSIGN_OR_RETURN(std::optional<Selected> kept, keep(rows));
    if (kept && ShowsPersons(kept->event)) {
      out.emplace(sequence, std::move(*kept));
      RETURN_IF_ERROR(WithinLimit(out.size(), max_events));
    }
  }
}

// Collect over PostgreSQL, which hands over a statement's whole result at
// once: a month's window would sit in memory whole before max_events is
// looked at. A cursor, fetched a page at a time, keeps it to the limit.
// `declare`: a bound "DECLARE vigie_breach_rows ... CURSOR FOR SELECT ...".
// REQUIRES: a transaction.
template <typename Keep>
Result<void> CollectByCursor(store::Connection& db, store::Statement& declare, Keep keep,
                             uint64_t max_events, std::map<uint64_t, Selected>& out) {
  RETURN_IF_ERROR(declare.Run());
  for (uint64_t read = 1; read > 0;) {
    ASSIGN_OR_RETURN(store::Statement * rows,
                     db.Prepare("FETCH FORWARD 1024 FROM vigie_breach_rows"));
    ASSIGN_OR_RETURN(read, Collect(*rows, keep, max_events, out));
  }
  return db.ExecuteScript("CLOSE vigie_breach_rows");
}

// The events a report counts: consultations, and investigations' reads.
constexpr AuditEventType kCounted[] = {AuditEventType::kSearch, AuditEventType::kFileOpening,
                                       AuditEventType::kAuditSearch};

bool Counted(AuditEventType type) {
  return std::ranges::find(kCounted, type) != std::end(kCounted);
}

// The window, then kCounted's types.
void BindWindow(store::Statement& rows, int first, const BreachScope& scope) {
  rows.BindInt(first, scope.since_unix_micros).BindInt(first + 1, scope.until_unix_micros);
  for (int i = 0; i < 3; ++i) rows.BindInt(first + 2 + i, static_cast<int64_t>(kCounted[i]));
}

// The consultations a report reads, by agent ($1, then BindWindow's from $2)
// or by the window alone (BindWindow's from $1); on PostgreSQL through a cursor.
constexpr std::string_view kDeclareCursor = "DECLARE vigie_breach_rows NO SCROLL CURSOR FOR ";
constexpr std::string_view kSelectedByAgent =
    "SELECT sequence, session_id, source_address, event FROM audit_event WHERE agent_id = $1 AND "
    "time_us >= $2 AND time_us <= $3 AND type IN ($4, $5, $6)";
constexpr std::string_view kSelectedInWindow =
    "SELECT sequence, session_id, source_address, event FROM audit_event WHERE "
    "time_us >= $1 AND time_us <= $2 AND type IN ($3, $4, $5)";

// By agent on SQLite: the (agent_id, time_us) index names the events
// (SQLite's index holds the sequence), then they are read by sequence, on
// several connections when many. The index does not hold the type: every
// event of the agents in the window counts towards max_events here.
Result<void> SelectByAgentIndex(store::Connection& db, const BreachScope& scope,
                                const BreachOptions& options,
                                std::map<uint64_t, Selected>& selected) {
  std::vector<uint64_t> sequences;
  // An agent named twice is counted once against the limit.
  std::vector<int64_t> agent_ids = scope.agent_ids;
  std::ranges::sort(agent_ids);
  agent_ids.erase(std::unique(agent_ids.begin(), agent_ids.end()), agent_ids.end());
  for (int64_t agent_id : agent_ids) {
    ASSIGN_OR_RETURN(store::Statement * rows,
                     db.Prepare("SELECT sequence FROM audit_event WHERE agent_id = $1 AND "
                                "time_us >= $2 AND time_us <= $3"));
    rows->BindInt(1, agent_id)
        .BindInt(2, scope.since_unix_micros)
        .BindInt(3, scope.until_unix_micros);
    while (true) {
      ASSIGN_OR_RETURN(bool more, rows->Step());
      if (!more) break;
      sequences.push_back(static_cast<uint64_t>(rows->ColumnInt(0)));
      RETURN_IF_ERROR(WithinLimit(sequences.size(), options.max_events));
    }
  }
  std::sort(sequences.begin(), sequences.end());
  sequences.erase(std::unique(sequences.begin(), sequences.end()), sequences.end());
  ASSIGN_OR_RETURN(std::vector<audit::StoredEvent> stored,
                   audit::ReadStoredEvents(db, sequences, options.reading));
  for (audit::StoredEvent& one : stored) {
    if (!Counted(one.event.type) || !ShowsPersons(one.event)) continue;
    const uint64_t sequence = one.event.sequence;
    selected.emplace(sequence,
                     Selected{.encoded = std::move(one.encoded), .event = std::move(one.event)});
  }
  return {};
}

Result<std::map<uint64_t, Selected>> Select(store::Connection& db, const BreachScope& scope,
                                            const BreachOptions& options) {
  std::map<uint64_t, Selected> selected;
  auto decode_all = [](store::Statement& row) -> Result<std::optional<Selected>> {
    ASSIGN_OR_RETURN(Selected kept, Decode(row));
    return std::optional<Selected>(std::move(kept));
  };
  if (db.dialect() == store::Dialect::kSqlite) {
    RETURN_IF_ERROR(SelectByAgentIndex(db, scope, options, selected));
  } else {
    // PostgreSQL's index does not hold the sequence: one query per agent.
    for (int64_t agent_id : scope.agent_ids) {
      ASSIGN_OR_RETURN(store::Statement * declare,
                       db.Prepare(std::string(kDeclareCursor) + std::string(kSelectedByAgent)));
      declare->BindInt(1, agent_id);
      BindWindow(*declare, 2, scope);
      RETURN_IF_ERROR(CollectByCursor(db, *declare, decode_all, options.max_events, selected));
    }
  }
  if (scope.session_ids.empty() && scope.dpop_jkts.empty() && scope.source_addresses.empty()) {
    return selected;
  }
  // Sessions, addresses and keys have no index: one pass over the window,
  // decoding only the rows whose columns match (all of them when keys are
  // asked for: the key is inside the event).
  const std::unordered_set<int64_t> sessions(scope.session_ids.begin(), scope.session_ids.end());
  const std::set<std::string, std::less<>> addresses(scope.source_addresses.begin(),
                                                     scope.source_addresses.end());
  const std::set<std::string, std::less<>> jkts(scope.dpop_jkts.begin(), scope.dpop_jkts.end());
  auto keep = [&](store::Statement& row) -> Result<std::optional<Selected>> {
    const bool column_match =
        sessions.contains(row.ColumnInt(1)) || addresses.contains(row.ColumnText(2));
    if (!column_match && jkts.empty()) return std::optional<Selected>();
    ASSIGN_OR_RETURN(Selected kept, Decode(row));
    if (!column_match && !jkts.contains(kept.event.dpop_jkt)) return std::optional<Selected>();
    return std::optional<Selected>(std::move(kept));
  };
  if (db.dialect() == store::Dialect::kPostgres) {
    ASSIGN_OR_RETURN(store::Statement * declare,
                     db.Prepare(std::string(kDeclareCursor) + std::string(kSelectedInWindow)));
    BindWindow(*declare, 1, scope);
    RETURN_IF_ERROR(CollectByCursor(db, *declare, keep, options.max_events, selected));
    return selected;
  }
  ASSIGN_OR_RETURN(store::Statement * rows, db.Prepare(kSelectedInWindow));
  BindWindow(*rows, 1, scope);
  RETURN_IF_ERROR(Collect(*rows, keep, options.max_events, selected));
  return selected;
}

// Security: events are selected by the log's copied columns (agent, time,
// type, session, address), which the Merkle leaf does not cover: an event
// of someone else pinned on the scope by an edited column would count, its
// proof still valid. Each event's own record must be in the scope; `vigie
// audit verify` finds the edited row (an event hidden by an edit is its
// alone to find).
Result<void> CheckRecordsInScope(const std::map<uint64_t, Selected>& selected,
                                 const BreachScope& scope) {
  // Sets: each event is looked up in up to four lists of a thousand.
  const std::unordered_set<int64_t> agents(scope.agent_ids.begin(), scope.agent_ids.end());
  const std::unordered_set<int64_t> sessions(scope.session_ids.begin(), scope.session_ids.end());
  const std::unordered_set<std::string> addresses(scope.source_addresses.begin(),
                                                  scope.source_addresses.end());
  const std::unordered_set<std::string> keys(scope.dpop_jkts.begin(), scope.dpop_jkts.end());
  const auto has = [](const auto& values, const auto& value) { return values.contains(value); };
  for (const auto& [sequence, item] : selected) {
    const AuditEvent& e = item.event;
    const bool in_window = e.time_unix_micros >= scope.since_unix_micros &&
                           e.time_unix_micros <= scope.until_unix_micros;
    const bool selected_by = has(agents, e.actor.agent_id) || has(sessions, e.session_id) ||
                             has(addresses, e.source_address) || has(keys, e.dpop_jkt);
    if (!in_window || !selected_by || !Counted(e.type)) {
      return Fail(ErrorCode::kDataLoss,
                  "audit event " + std::to_string(sequence) +
                      " is outside the scope by its own record but in it by the log's columns: "
                      "the log was altered (`vigie audit verify` names the row)");
    }
  }
  return {};
}

// The start of the UTC hour holding `unix_micros`.
int64_t HourOf(int64_t unix_micros) { return unix_micros - unix_micros % kHourMicros; }

template <typename T>
std::vector<T> SortedDistinct(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// Folds the selected events into subjects, actors, timeline and counts.
void Aggregate(std::map<uint64_t, Selected>& selected, BreachReport& report) {
  std::unordered_map<int64_t, ExposedSubject> subjects;
  std::map<std::pair<int64_t, int64_t>, ActorActivity> actors;
  std::map<std::pair<int64_t, int64_t>, std::pair<std::set<std::string>, std::set<std::string>>>
      actor_keys;
  std::map<int64_t, TimelineHour> hours;
  std::unordered_set<int64_t> notices, entries;
  BreachCounts& counts = report.counts;
  for (auto& [sequence, item] : selected) {
    AuditEvent& e = item.event;
    const auto actor_key = std::pair{e.actor.agent_id, e.session_id};
    auto [actor_it, new_actor] = actors.try_emplace(actor_key);
    ActorActivity& actor = actor_it->second;
    if (new_actor) {
      actor.agent_id = e.actor.agent_id;
      actor.service_number = e.actor.service_number;
      actor.session_id = e.session_id;
      actor.first_unix_micros = actor.last_unix_micros = e.time_unix_micros;
    }
    actor.first_unix_micros = std::min(actor.first_unix_micros, e.time_unix_micros);
    actor.last_unix_micros = std::max(actor.last_unix_micros, e.time_unix_micros);
    if (!e.dpop_jkt.empty()) actor_keys[actor_key].first.insert(e.dpop_jkt);
    if (!e.source_address.empty()) actor_keys[actor_key].second.insert(e.source_address);
    if (e.outcome != audit::AuditOutcome::kOk) {
      ++actor.refused;
      ++counts.refused_events;
      continue;
    }
    const bool file = e.type == AuditEventType::kFileOpening;
    const bool named = e.type == AuditEventType::kAuditSearch;
    const int64_t hour = HourOf(e.time_unix_micros);
    TimelineHour& bucket = hours[hour];
    bucket.hour_unix_micros = hour;
    if (named) {
      ++actor.investigations;
      ++counts.investigation_events;
      ++bucket.investigations;
    } else {
      ++(file ? actor.file_openings : actor.searches);
      ++(file ? counts.file_opening_events : counts.search_events);
      ++(file ? bucket.file_openings : bucket.searches);
    }
    bucket.persons_returned += e.person_ids.size();
    const bool record_count = !file && !named && MayShowRecordCount(e.purpose);
    for (int64_t person_id : e.person_ids) {
      auto [it, added] = subjects.try_emplace(person_id);
      ExposedSubject& subject = it->second;
      if (added) {
        subject.person_id = person_id;
        subject.first_unix_micros = subject.last_unix_micros = e.time_unix_micros;
      }
      subject.first_unix_micros = std::min(subject.first_unix_micros, e.time_unix_micros);
      subject.last_unix_micros = std::max(subject.last_unix_micros, e.time_unix_micros);
      if (named) {
        ++subject.named_events;
      } else if (file) {
        ++subject.full_file_events;
        // An opening names one person: its notices and entries are theirs.
        subject.notice_ids.insert(subject.notice_ids.end(), e.notice_ids.begin(),
                                  e.notice_ids.end());
        subject.entry_ids.insert(subject.entry_ids.end(), e.entry_ids.begin(), e.entry_ids.end());
      } else {
        ++subject.summary_events;
        subject.record_count_in_summary |= record_count;
      }
    }
    if (file) {
      notices.insert(e.notice_ids.begin(), e.notice_ids.end());
      entries.insert(e.entry_ids.begin(), e.entry_ids.end());
    }
    report.events.push_back(CountedEvent{.sequence = sequence,
                                         .time_unix_micros = e.time_unix_micros,
                                         .type = e.type,
                                         .agent_id = e.actor.agent_id,
                                         .service_number = e.actor.service_number,
                                         .session_id = e.session_id,
                                         .dpop_jkt = e.dpop_jkt,
                                         .source_address = e.source_address,
                                         .purpose = e.purpose,
                                         .case_reference = e.case_reference,
                                         .persons = e.person_ids.size(),
                                         .notices = e.notice_ids.size(),
                                         .entries = e.entry_ids.size(),
                                         .encoded = std::move(item.encoded),
                                         .leaf_hash = {},
                                         .proven = false,
                                         .inclusion_proof = {}});
    report.events.back().leaf_hash = audit::AuditEventLeafHash(report.events.back().encoded);
  }

  uint64_t with_notices = 0, with_entries = 0, record_count_subjects = 0;
  report.subjects.reserve(subjects.size());
  for (auto& [id, subject] : subjects) {
    subject.notice_ids = SortedDistinct(std::move(subject.notice_ids));
    subject.entry_ids = SortedDistinct(std::move(subject.entry_ids));
    if (subject.summary_events > 0) ++counts.summary_subjects;
    if (subject.full_file_events > 0) ++counts.full_file_subjects;
    if (subject.summary_events > 0 && subject.full_file_events == 0) {
      ++counts.summary_only_subjects;
    }
    if (subject.named_events > 0) ++counts.named_subjects;
    if (!subject.notice_ids.empty()) ++with_notices;
    if (!subject.entry_ids.empty()) ++with_entries;
    if (subject.record_count_in_summary) ++record_count_subjects;
    // New in the hour of its earliest event, which need not be the first by
    // sequence: nodes' clocks differ by a little (that hour has a bucket:
    // the event made it).
    ++hours[HourOf(subject.first_unix_micros)].new_subjects;
    report.subjects.push_back(std::move(subject));
  }
  std::sort(
      report.subjects.begin(), report.subjects.end(),
      [](const ExposedSubject& a, const ExposedSubject& b) { return a.person_id < b.person_id; });
  counts.subjects = report.subjects.size();
  counts.wanted_notices = notices.size();
  counts.record_entries = entries.size();
  counts.records = counts.subjects + counts.wanted_notices + counts.record_entries;

  for (auto& [key, actor] : actors) {
    auto& [jkts, addresses] = actor_keys[key];
    actor.dpop_jkts.assign(jkts.begin(), jkts.end());
    actor.source_addresses.assign(addresses.begin(), addresses.end());
    report.actors.push_back(std::move(actor));
  }
  for (auto& [hour, bucket] : hours) report.timeline.push_back(bucket);

  using D = BreachDataset;
  using V = BreachView;
  report.datasets = {
      {D::kIdentity, V::kSummary, counts.summary_subjects, counts.summary_subjects},
      {D::kIdentity, V::kFullFile, counts.full_file_subjects, counts.full_file_subjects},
      {D::kIdentity, V::kNamed, counts.named_subjects, counts.named_subjects},
      {D::kWantedPersons, V::kSummary, counts.summary_subjects, 0},
      {D::kWantedPersons, V::kFullFile, with_notices, counts.wanted_notices},
      {D::kCriminalRecords, V::kSummary, record_count_subjects, 0},
      {D::kCriminalRecords, V::kFullFile, with_entries, counts.record_entries},
  };
}

// Proves every counted event below the checkpoint's tree size, and checks
// each proof against the signed root before it goes out.
Result<void> Prove(store::Connection& db, const audit::Checkpoint& checkpoint,
                   const BreachOptions& options, BreachReport& report) {
  std::vector<uint64_t> leaves;
  for (const CountedEvent& event : report.events) {
    if (event.sequence < checkpoint.tree_size) leaves.push_back(event.sequence);
  }
  // Security: with no event to prove, the root is still computed and
  // compared: the log's right edge (its last, partial chunk) is read, and
  // the stored subtree hashes must still lead to the signed root. (An event
  // removed from a complete chunk outside the selection is for `vigie audit
  // verify` to find; a tail removed is refused in ComputeBreachReport.)
  BatchInclusionProofs::Progress progress;
  if (options.progress) {
    progress = [&](uint64_t done, uint64_t total) { options.progress("proving", done, total); };
  }
  ASSIGN_OR_RETURN(
      BatchInclusionProofs proofs,
      BatchInclusionProofs::Build(db, checkpoint.tree_size, leaves, progress, options.reading));
  if (proofs.root() != checkpoint.root) {
    return Fail(ErrorCode::kDataLoss,
                "the audit log does not match its signed checkpoint at tree size " +
                    std::to_string(checkpoint.tree_size) + "; run `vigie audit verify`");
  }
  for (CountedEvent& event : report.events) {
    if (event.sequence >= checkpoint.tree_size) continue;
    ASSIGN_OR_RETURN(event.inclusion_proof, proofs.Prove(event.sequence));
    RETURN_IF_ERROR(audit::VerifyInclusion(event.leaf_hash, event.sequence, checkpoint.tree_size,
                                           event.inclusion_proof, checkpoint.root));
    event.proven = true;
  }
  return {};
}

}  // namespace

std::string_view BreachDatasetName(BreachDataset dataset) {
  switch (dataset) {
    case BreachDataset::kIdentity:
      return "identity";
    case BreachDataset::kWantedPersons:
      return "wanted_persons";
    case BreachDataset::kCriminalRecords:
      return "criminal_records";
  }
  return "unknown";
}

std::string_view BreachViewName(BreachView view) {
  switch (view) {
    case BreachView::kSummary:
      return "summary";
    case BreachView::kFullFile:
      return "full_file";
    case BreachView::kNamed:
      return "named";
  }
  return "unknown";
}

std::span<const std::string_view> BreachFields(BreachDataset dataset, BreachView view) {
  using Fields = std::span<const std::string_view>;
  if (view == BreachView::kNamed) {
    return dataset == BreachDataset::kIdentity ? Fields(kIdentityNamed) : Fields();
  }
  const bool summary = view == BreachView::kSummary;
  switch (dataset) {
    case BreachDataset::kIdentity:
      return summary ? Fields(kIdentitySummary) : Fields(kIdentityFull);
    case BreachDataset::kWantedPersons:
      return summary ? Fields(kWantedSummary) : Fields(kWantedFull);
    case BreachDataset::kCriminalRecords:
      return summary ? Fields(kRecordsSummary) : Fields(kRecordsFull);
  }
  return {};
}

Result<std::vector<uint8_t>> CheckedCheckpointKey(const crypto::Keyring& keyring,
                                                  const audit::Checkpoint& checkpoint) {
  const std::string run_verify = "; run `vigie audit verify`";
  const std::optional<audit::CheckpointKey> key =
      audit::CheckpointKeysOf(keyring)(checkpoint.key_id);
  if (!key) {
    return Fail(ErrorCode::kDataLoss, "the audit log's latest checkpoint names signing key " +
                                          std::to_string(checkpoint.key_id) +
                                          ", which the key file does not hold" + run_verify);
  }
  if (key->retired_after && checkpoint.tree_size > *key->retired_after) {
    return Fail(ErrorCode::kDataLoss, "the audit log's latest checkpoint is signed by key " +
                                          std::to_string(checkpoint.key_id) +
                                          ", retired before that size" + run_verify);
  }
  std::vector<uint8_t> public_key(key->public_key.begin(), key->public_key.end());
  if (!audit::CheckpointSignatureValid(checkpoint, public_key)) {
    return Fail(ErrorCode::kDataLoss,
                "the audit log's latest checkpoint is not validly signed" + run_verify);
  }
  return public_key;
}

Result<void> ValidateBreachScope(const BreachScope& scope) {
  if (scope.agent_ids.empty() && scope.session_ids.empty() && scope.dpop_jkts.empty() &&
      scope.source_addresses.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "give at least one agent, session, DPoP key or source address");
  }
  if (scope.since_unix_micros > scope.until_unix_micros) {
    return Fail(ErrorCode::kInvalidArgument, "the window ends before it begins");
  }
  for (size_t size : {scope.agent_ids.size(), scope.session_ids.size(), scope.dpop_jkts.size(),
                      scope.source_addresses.size()}) {
    if (size > kMaxBreachSelectors) {
      return Fail(ErrorCode::kInvalidArgument,
                  "at most " + std::to_string(kMaxBreachSelectors) + " of each selector");
    }
  }
  auto empty = [](const std::string& s) { return s.empty(); };
  if (std::any_of(scope.dpop_jkts.begin(), scope.dpop_jkts.end(), empty) ||
      std::any_of(scope.source_addresses.begin(), scope.source_addresses.end(), empty)) {
    return Fail(ErrorCode::kInvalidArgument, "an empty DPoP key or source address selects nothing");
  }
  // A key mistyped, in hex or padded would select nothing and read as
  // "nothing exposed": only the form the log records is taken.
  auto thumbprint = [](const std::string& s) {
    return s.size() == 43 && std::all_of(s.begin(), s.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
           });
  };
  if (!std::all_of(scope.dpop_jkts.begin(), scope.dpop_jkts.end(), thumbprint)) {
    return Fail(ErrorCode::kInvalidArgument,
                "a DPoP key is its RFC 7638 SHA-256 thumbprint: 43 base64url characters");
  }
  return {};
}

Result<BreachReport> ComputeBreachReport(store::Connection& audit_db, const BreachScope& scope,
                                         const Clock& clock, const BreachOptions& options) {
  RETURN_IF_ERROR(ValidateBreachScope(scope));
  BreachReport report;
  report.scope = scope;
  report.generated_unix_micros = UnixMicros(clock.Now());
  // One snapshot: the size, the checkpoint, the selection and the proofs agree.
  ASSIGN_OR_RETURN(store::Transaction read, store::Transaction::BeginRead(audit_db));
  ASSIGN_OR_RETURN(report.log_size, audit::StoredEventCount(audit_db));
  ASSIGN_OR_RETURN(report.checkpoint, audit::ReadLatestCheckpoint(audit_db));
  if (options.progress) options.progress("selecting", 0, 0);
  ASSIGN_OR_RETURN(auto selected, Select(audit_db, scope, options));
  RETURN_IF_ERROR(CheckRecordsInScope(selected, scope));
  Aggregate(selected, report);
  selected.clear();
  const uint64_t covered = report.checkpoint ? report.checkpoint->tree_size : 0;
  for (const CountedEvent& event : report.events) {
    if (event.sequence >= covered) ++report.counts.unproven_events;
  }
  std::future<Result<void>> with_subjects;
  if (options.with_subjects) {
    with_subjects = std::async(std::launch::async, options.with_subjects, std::ref(report.subjects));
  }
  Result<void> proved;
  if (report.checkpoint && report.log_size < report.checkpoint->tree_size) {
    // With or without proofs: the list (the one people are notified from)
    // would miss whoever the removed events exposed.
    proved = Fail(ErrorCode::kDataLoss, "the audit log ends at " + std::to_string(report.log_size) +
                                            " events, before its signed checkpoint's " +
                                            std::to_string(report.checkpoint->tree_size) +
                                            ": events were removed; run `vigie audit verify`");
  } else if (report.checkpoint && options.with_proofs) {
    proved = Prove(audit_db, *report.checkpoint, options, report);
    report.proven = true;
  }
  if (with_subjects.valid()) {
    RETURN_IF_ERROR(with_subjects.get());
    report.subjects_looked_up = true;
  }
  RETURN_IF_ERROR(proved);
  return report;
}

}  // namespace vigie::incident
