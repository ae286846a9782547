#pragma once
// The breach report (issue 5): for a set of agents, sessions, DPoP keys
// and/or source addresses over a window, exactly which persons and records
// were exposed - summaries seen in search results apart from full files
// opened, by dataset and field category - with counts, a timeline, and the
// signed checkpoint it was computed against, with an RFC 9162 inclusion
// proof for every event counted (docs/formats/breach-report.md).
//
// What counts: successful (outcome ok) `search` events (their persons are
// summaries seen), `file_opening` events (their persons, wanted notices
// and criminal-record entries are full files opened) and `audit_search`
// events that name persons (an investigation's answer: a breach report's
// subject list or a claim check's matches told the officer who these
// persons are — a stolen officer's session is a breach too). Refused
// consultations showed nothing: they are only counted as attempts.
//
// Selection: an event is in scope when its agent, OR its session, OR its
// DPoP key, OR its source address is one of those given, AND its time is
// within [since, until] (both inclusive). Every matching event of the log is
// counted, also those newer than the checkpoint (reported as unproven):
// Security: a breach report must never under-report to keep its proofs tidy.
//
// Thread-safety: ComputeBreachReport uses `audit_db`, through
// BreachOptions::with_subjects one more thread, and through
// BreachOptions::reading a second audit connection on a thread of its own.
// No HTTP or CLI types here: the CLI (and later the API) adapt onto it.

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_event.h"
#include "audit/checkpoint.h"
#include "audit/parallel_reading.h"
#include "core/clock.h"
#include "core/error.h"
#include "crypto/keyring.h"
#include "records/model.h"
#include "store/store.h"

namespace vigie::incident {

// Security: bounds the work one request may ask for.
inline constexpr size_t kMaxBreachSelectors = 1000;

struct BreachScope {
  std::vector<int64_t> agent_ids;
  std::vector<int64_t> session_ids;
  std::vector<std::string> dpop_jkts;
  std::vector<std::string> source_addresses;
  int64_t since_unix_micros = 0;
  int64_t until_unix_micros = std::numeric_limits<int64_t>::max();  // inclusive
};

// InvalidArgument when no agent, session, key or address is given (a window
// alone is not a breach scope), when since > until, when a list is longer
// than kMaxBreachSelectors or holds an empty key or address.
Result<void> ValidateBreachScope(const BreachScope& scope);

// What a report was asked for, as the audit event of its read names it
// ("breach report: since 2026-11-01T00:00:00Z; agents A-1; sessions 4;"),
// the same words from the command line and the API so one search finds both.
// Within the log's short text: the window first, a list too long for the
// rest ends in "+N more".
// `service_numbers`: the agents as the requester named them, if by number.
std::string BreachReadSubject(std::span<const std::string> service_numbers,
                              const BreachScope& scope);

// The public key of the audit-signing key that signed `checkpoint`, from
// the keyring, once its signature is checked. Security: a report's proofs
// are only as good as that checkpoint, so DataLoss (run `vigie audit
// verify`) when the key file does not hold an audit-signing key of its id,
// when that key was retired before the checkpoint's size, or when the
// signature does not check.
Result<std::vector<uint8_t>> CheckedCheckpointKey(const crypto::Keyring& keyring,
                                                  const audit::Checkpoint& checkpoint);

// The datasets behind what a consultation shows, and what it shows of each.
enum class BreachDataset { kIdentity, kWantedPersons, kCriminalRecords };
// kNamed: identity fields an investigation's answer named (identity only).
enum class BreachView { kSummary, kFullFile, kNamed };
std::string_view BreachDatasetName(BreachDataset dataset);  // "identity", ...
std::string_view BreachViewName(BreachView view);           // "summary", "full_file", "named"
// The fields of `dataset` a `view` shows (from records::PersonSummary,
// records::PersonFile and policy::Minimise*): e.g. a summary shows the
// wanted flag of the wanted-persons dataset, a full file the notices.
std::span<const std::string_view> BreachFields(BreachDataset dataset, BreachView view);

struct DatasetExposure {
  BreachDataset dataset = BreachDataset::kIdentity;
  BreachView view = BreachView::kSummary;
  uint64_t subjects = 0;  // distinct persons whose fields of this kind were shown
  uint64_t records = 0;   // distinct records shown (persons, notices or entries; 0 for flags)
};

// A person's identity, for notifying them; from the records database.
struct SubjectIdentity {
  std::string surname;
  std::vector<std::string> given_names;
  records::PartialDate birth_date;
};

struct ExposedSubject {
  int64_t person_id = 0;
  uint64_t summary_events = 0;    // searches that returned the person
  uint64_t full_file_events = 0;  // openings of the person's file
  uint64_t named_events = 0;      // investigation answers that named the person
  // A summary may have shown the person's criminal-record entry count: a
  // search under a purpose that reaches criminal records. Roles are not in
  // the event, so this errs towards exposure.
  bool record_count_in_summary = false;
  std::vector<int64_t> notice_ids;  // shown in a full file; sorted, distinct
  std::vector<int64_t> entry_ids;
  int64_t first_unix_micros = 0;
  int64_t last_unix_micros = 0;
  // Filled by NameSubjects (breach_subjects.h); nullopt when the person is
  // no longer in the records (listed by id).
  std::optional<SubjectIdentity> identity;
};

// One event counted, with what a third party needs to check it.
struct CountedEvent {
  uint64_t sequence = 0;
  int64_t time_unix_micros = 0;
  audit::AuditEventType type = audit::AuditEventType::kSearch;
  int64_t agent_id = 0;
  std::string service_number;
  int64_t session_id = 0;
  std::string dpop_jkt;
  std::string source_address;
  std::string purpose;
  std::string case_reference;
  size_t persons = 0, notices = 0, entries = 0;
  std::vector<uint8_t> encoded;  // canonical encoding: the Merkle leaf's data
  audit::Sha256Digest leaf_hash{};
  bool proven = false;  // below the checkpoint's tree size, with a proof
  std::vector<audit::Sha256Digest> inclusion_proof;
};

// What one agent did in one session.
struct ActorActivity {
  int64_t agent_id = 0;
  std::string service_number;
  int64_t session_id = 0;
  std::vector<std::string> dpop_jkts;         // sorted, distinct
  std::vector<std::string> source_addresses;  // sorted, distinct
  int64_t first_unix_micros = 0;
  int64_t last_unix_micros = 0;
  uint64_t searches = 0, file_openings = 0, refused = 0;
  uint64_t investigations = 0;  // answers naming persons
};

// One UTC hour with counted events.
struct TimelineHour {
  int64_t hour_unix_micros = 0;  // start of the hour
  uint64_t searches = 0, file_openings = 0, investigations = 0;
  uint64_t persons_returned = 0;  // with repeats
  uint64_t new_subjects = 0;      // persons exposed for the first time in this hour
};

struct BreachCounts {
  uint64_t subjects = 0;            // distinct persons exposed in any way
  uint64_t summary_subjects = 0;    // seen in at least one summary
  uint64_t full_file_subjects = 0;  // whose file was opened
  uint64_t summary_only_subjects = 0;  // seen in a summary, file never opened
  uint64_t named_subjects = 0;         // named by an investigation's answer
  uint64_t wanted_notices = 0;  // distinct notices shown
  uint64_t record_entries = 0;  // distinct criminal-record entries shown
  uint64_t records = 0;         // persons + notices + entries
  uint64_t search_events = 0, file_opening_events = 0;
  uint64_t investigation_events = 0;  // audit_search events naming persons
  uint64_t refused_events = 0;   // refused consultations in scope (nothing shown)
  uint64_t unproven_events = 0;  // counted events newer than the checkpoint
};

struct BreachReport {
  BreachScope scope;
  int64_t generated_unix_micros = 0;
  uint64_t log_size = 0;                        // events in the log when the report was computed
  std::optional<audit::Checkpoint> checkpoint;  // the latest; nullopt when the log has none
  BreachCounts counts;
  std::vector<DatasetExposure> datasets;  // each dataset x view
  std::vector<ExposedSubject> subjects;   // by person id
  std::vector<CountedEvent> events;       // by sequence
  std::vector<ActorActivity> actors;      // by agent, then session
  std::vector<TimelineHour> timeline;     // hours with events, in order
  // Whether BreachOptions::with_subjects looked the subjects up: without it
  // no `identity` says whether a person is still in the records.
  bool subjects_looked_up = false;
  // Whether each event counted below the checkpoint carries its inclusion
  // proof (BreachOptions::with_proofs, and a checkpoint to prove against).
  bool proven = false;
};

struct BreachOptions {
  bool with_proofs = true;
  // Security: when not 0, the most events the report may read (those of
  // the scope's agents in the window, and the consultations matching its
  // sessions, keys or addresses); beyond, InvalidArgument before the rest
  // is read. Bounds the memory one request over the API may take; the
  // command line on the server sets none.
  uint64_t max_events = 0;
  // (stage, done, total) for long steps; total 0 when unknown.
  std::function<void(std::string_view stage, uint64_t done, uint64_t total)> progress;
  // When set, called once the subjects are known, on a thread of its own
  // while the proofs are built (NameSubjects on the records store: the two
  // databases are read at once). It must not use `audit_db`; it may change
  // the subjects' `identity` only. Its error is the report's.
  std::function<Result<void>(std::vector<ExposedSubject>& subjects)> with_subjects;
  // Other connections to the audit log, reading parts of the agents'
  // events and of the proofs' chunks and stored nodes
  // (audit/parallel_reading.h).
  audit::ParallelReading reading;
};

// Computes the report from the audit log on `audit_db` against its latest
// stored checkpoint (make a fresh one first, e.g. by opening and closing an
// audit::AuditLog, so the whole selection is covered). Reads in one read
// transaction of its own (other connections read only events and Merkle
// nodes below its tree size, which never change once written). Errors: those of
// ValidateBreachScope; DataLoss when an event does not decode or the log does not match the
// checkpoint's root (run `vigie audit verify`); InvalidArgument past
// options.max_events; storage errors.
Result<BreachReport> ComputeBreachReport(store::Connection& audit_db, const BreachScope& scope,
                                         const Clock& clock, const BreachOptions& options = {});

}  // namespace vigie::incident
