#pragma once
// The `vigie` subcommands. Each returns the process exit code; errors are
// printed to stderr as "vigie: <message>" (never with secrets).
// Exit codes: 0 ok, 1 internal, 2 invalid input, 3 not found, 4 refused
// (permission), 5 conflict, 6 unavailable, 7 data integrity.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/installation.h"
#include "core/error.h"
#include "identity/model.h"

namespace vigie::cli {

int ExitCodeFor(ErrorCode code);
int ReportError(const Error& error);  // prints, returns ExitCodeFor
// A file that could not be opened for reading (`err`: the errno): NotFound,
// PermissionDenied, InvalidArgument (a link loop, a name too long) or
// Unavailable, the system's reason in the message.
Error CannotRead(int err, const std::filesystem::path& file);

int RunInit(const std::filesystem::path& data_dir, const DatabaseUrls& databases);

struct GenerateOptions {
  uint64_t persons = 1000;
  uint64_t seed = 1;
  std::filesystem::path out;
  std::filesystem::path surnames;  // long-tail surname list
  uint64_t audit_events = 0;       // > 0: append this many synthetic events to the audit log
};
int RunGenerate(const std::filesystem::path& data_dir, const GenerateOptions& options);

struct ImportCommandOptions {
  std::filesystem::path file;
  std::string format;  // "", "jsonl" or "csv"
  std::string kind = "person";
  bool kind_given = false;  // --kind on the command line: CSV only
  bool skip_bad_lines = false;
};
int RunImport(const std::filesystem::path& data_dir, const ImportCommandOptions& options);

// A local consultation's stated reason, written to the audit log.
// The purpose of a local consultation that states none of the fixed list:
// the operator's own, which shows everything (and which a breach report
// counts as reaching criminal records).
inline constexpr std::string_view kOperatorPurpose = "local operator consultation";

struct ConsultationOptions {
  std::string purpose = std::string(kOperatorPurpose);
  std::string case_reference;
};

// Consultations by the local operator: audited, refused (6) when the audit
// log cannot be written.
struct SearchCommandOptions {
  std::string surname;
  std::string given_name;
  std::string birth_date;
  bool json = false;
  ConsultationOptions consultation;
};
int RunSearch(const std::filesystem::path& data_dir, const SearchCommandOptions& options);

struct ShowCommandOptions {
  int64_t person_id = 0;
  bool json = false;
  ConsultationOptions consultation;
};
int RunShow(const std::filesystem::path& data_dir, const ShowCommandOptions& options);

// `vigie audit verify`: 0 when the log verifies, 7 when it does not.
struct AuditVerifyOptions {
  std::filesystem::path witness_file;  // empty: [audit] witness_file, if any
  // The size of a signed checkpoint: the events before it are not read
  // (audit/audit_verifier.h).
  std::optional<uint64_t> from_checkpoint;
  bool json = false;
};
int RunAuditVerify(const std::filesystem::path& data_dir, const AuditVerifyOptions& options);

// `vigie audit prove`: JSON with an inclusion proof for `event`, or a
// consistency proof from tree size `from` to `to` (default: the whole log).
struct AuditProveOptions {
  std::optional<uint64_t> event;
  std::optional<uint64_t> from;
  std::optional<uint64_t> to;
};
int RunAuditProve(const std::filesystem::path& data_dir, const AuditProveOptions& options);

// `vigie audit search`: events matching every criterion given, one per line
// as JSON, RFC 5424 syslog or CEF (the SIEM export: resume with --after). Times are UTC, as
// YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.
struct AuditSearchOptions {
  std::string agent;  // service number
  std::string unit;   // unit code
  std::optional<int64_t> session;
  std::string address;
  std::string type;               // an event type name, e.g. "search"
  std::optional<int64_t> person;  // who consulted this person
  std::string surname;            // who searched for this surname
  std::string since;
  std::string until;
  uint64_t after = 0;
  size_t limit = 1000;
  std::string format = "jsonl";  // jsonl, syslog (RFC 5424) or cef
};
int RunAuditSearch(const std::filesystem::path& data_dir, const AuditSearchOptions& options);

// `vigie audit public-keys`: the log's checkpoint key as "<key id> <hex>",
// the line a witness is initialised with.
int RunAuditPublicKeys(const std::filesystem::path& data_dir);
// `vigie audit witness`: sends the latest checkpoint to the configured
// witness now (`vigie serve` does it every second) and prints what it holds.
int RunAuditWitness(const std::filesystem::path& data_dir);

// `vigie witness init|serve`: the countersigning witness, run by another
// authority, in a directory of its own (no Vigie installation needed).
struct WitnessInitOptions {
  std::filesystem::path dir;
  std::filesystem::path log_keys;  // lines from `vigie audit public-keys`; "-": stdin
};
int RunWitnessInit(const WitnessInitOptions& options);
struct WitnessServeOptions {
  std::filesystem::path dir;
  std::string listen = "127.0.0.1";
  int port = 8444;
  std::filesystem::path tls_certificate;  // required beyond loopback
  std::filesystem::path tls_key;
};
int RunWitnessServe(const WitnessServeOptions& options);

struct ServeOptions {
  std::optional<int> port;  // overrides [server] port
};
int RunServe(const std::filesystem::path& data_dir, const ServeOptions& options);

int RunUnitAdd(const std::filesystem::path& data_dir, const identity::NewUnit& unit);
int RunUnitList(const std::filesystem::path& data_dir, bool json);

enum class AgentAction { kShow, kSuspend, kReinstate, kReset };
int RunAgentAdd(const std::filesystem::path& data_dir, const identity::NewAgent& agent);
int RunAgentList(const std::filesystem::path& data_dir, const std::string& unit, bool json);
int RunAgentAction(const std::filesystem::path& data_dir, AgentAction action,
                   const std::string& service_number, bool json);

// `vigie alert list|ack`, `vigie incident contain|release|list`,
// `vigie canary plant|list` (incident_commands.cc), as the local operator.
struct AlertListOptions {
  bool all = false;  // acknowledged ones too
  int limit = 100;
  bool json = false;
};
int RunAlertList(const std::filesystem::path& data_dir, const AlertListOptions& options);
int RunAlertAcknowledge(const std::filesystem::path& data_dir, int64_t alert_id,
                        const std::string& note);
struct ContainOptions {
  std::vector<std::string> agents;
  std::string unit;
  bool everyone = false;
  bool lockdown = false;
  std::string reason;
  bool json = false;
};
int RunIncidentContain(const std::filesystem::path& data_dir, const ContainOptions& options);
int RunIncidentRelease(const std::filesystem::path& data_dir, int64_t incident_id, bool reinstate,
                       std::string_view reason, bool json);
int RunIncidentList(const std::filesystem::path& data_dir, bool open_only, bool json);
// Every agent incident `incident_id` holds, in the order they were added: 3 if
// there is no such incident.
int RunIncidentAgents(const std::filesystem::path& data_dir, int64_t incident_id, bool json);
int RunCanaryPlant(const std::filesystem::path& data_dir, int count);
int RunCanaryList(const std::filesystem::path& data_dir);

// `vigie claim check`: a leaked sample checked against the records and the
// audit log (docs/formats/claim-check.md).
struct ClaimCheckCommandOptions {
  std::filesystem::path file;        // "-": stdin
  std::string format;                // the sample's: "", "csv" or "jsonl" (default: extension)
  std::vector<std::string> columns;  // FIELD=COLUMN
  std::filesystem::path out;         // the rows; empty: stdout
  std::string out_format;            // "", "jsonl" or "csv" (default: --out's extension, jsonl)
  bool json = false;                 // the summary as JSON
};
int RunClaimCheck(const std::filesystem::path& data_dir, const ClaimCheckCommandOptions& options);

// `vigie migrate-store`: copies the records database and the audit log from
// SQLite to empty PostgreSQL schemas (created by the real migrations), checks
// the copy (row counts and digests of every table, the whole audit log
// verified there and its tip compared), then points vigie.toml at them (the
// old file kept as vigie.toml.before-migrate). Stop every `vigie serve` first.
// Exit codes: 2 when the source is not SQLite or a URL is not postgresql://,
// 5 when a target already holds Vigie data, 6 when a database cannot be
// reached or locked, 7 when the copy differs or the log does not verify
// (vigie.toml is then left unchanged).
struct MigrateStoreOptions {
  std::string store_url;  // --to-store
  std::string audit_url;  // --to-audit
};
int RunMigrateStore(const std::filesystem::path& data_dir, const MigrateStoreOptions& options);

// `vigie keys list|rotate|activate` (keys_command.cc): the key file's keys
// (ids, purposes, staged/current/previous; never key material), and the two
// steps of a rotation without downtime. rotate: 5 when one is under way;
// activate: 3 when nothing is staged, 5 when the configured witness does not
// list a staged signing key, 6 when it cannot be asked, 7 when what answers
// is not the configured witness (`check_witness` false skips asking).
int RunKeysList(const std::filesystem::path& data_dir);
int RunKeysRotate(const std::filesystem::path& data_dir);
int RunKeysActivate(const std::filesystem::path& data_dir, bool check_witness);
int RunKeysRetire(const std::filesystem::path& data_dir, uint32_t key_id);

// `vigie breach report`: the persons and records exposed through the agents,
// sessions, DPoP keys or addresses given (at least one), over a window, as
// report.json, subjects.csv and report.html in a new directory (files 0600;
// existing ones are never overwritten), or the JSON alone on stdout
// (docs/formats/breach-report.md).
struct BreachReportOptions {
  std::vector<std::string> agents;  // service numbers, looked up in the directory
  std::vector<int64_t> agent_ids;   // as in the log (agents gone from the directory)
  std::vector<int64_t> sessions;
  std::vector<std::string> jkts;
  std::vector<std::string> addresses;
  std::string since;  // UTC, as for `audit search`
  std::string until;
  std::filesystem::path out;
  bool json = false;
  bool no_proofs = false;
  std::string controller, contact, consequences, measures;  // for report.html
};
int RunBreachReport(const std::filesystem::path& data_dir, const BreachReportOptions& options);

}  // namespace vigie::cli
