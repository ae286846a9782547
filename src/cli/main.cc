// `vigie`: the command line. Wires options to the commands; decides nothing.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "core/log.h"

#ifndef VIGIE_VERSION
#define VIGIE_VERSION "dev"
#endif

namespace {

std::filesystem::path DefaultDataDir() {
  const char* env = std::getenv("VIGIE_DATA_DIR");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env) : "vigie-data";
}

void AddConsultationOptions(CLI::App& command, vigie::cli::ConsultationOptions& consultation) {
  command
      .add_option("--purpose", consultation.purpose,
                  "Why you consult, written to the audit log: one of identity_check, "
                  "roadside_check, border_control, warrant_execution, missing_person_search "
                  "(wanted persons only), judicial_investigation, administrative_inquiry (with "
                  "criminal records: --case needed); the default, the operator's own "
                  "consultation, shows everything")
      ->capture_default_str();
  command.add_option("--case", consultation.case_reference,
                     "Case reference (audit log; needed by an inquiry's purpose)");
}

// Security: CLI11 reads integers as strtoll does with base 0, so `010`
// would be 8 and `0x10` 16, and `-1` would wrap in an unsigned option:
// `vigie incident release 010` must not lift incident 8. Every integer
// option takes decimal digits only (leading zeros dropped: `010` is 10).
void ReadIntegersInDecimal(CLI::App& app) {
  const CLI::Validator decimal(
      [](std::string& value) -> std::string {
        if (value.empty() ||
            !std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; })) {
          return "'" + value + "' is not a whole number written in decimal digits";
        }
        value.erase(0, std::min(value.find_first_not_of('0'), value.size() - 1));
        return {};
      },
      "DECIMAL");
  for (CLI::Option* option : app.get_options()) {
    const std::string type = option->get_type_name();  // "INT:POSITIVE" with a check
    const std::string bare = type.substr(0, type.find(':'));
    if (bare == "INT" || bare == "UINT") option->transform(decimal);  // first, may rewrite
  }
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    ReadIntegersInDecimal(*command);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigie::cli;
  namespace identity = vigie::identity;
  CLI::App app{"Vigie — hardened consultation portal for criminal records and wanted persons"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 invalid input, 3 not found, 4 refused, "
      "5 conflict, 6 unavailable, 7 data integrity.");
  std::filesystem::path data_dir = DefaultDataDir();
  app.add_option("-d,--data-dir", data_dir, "Installation directory (env VIGIE_DATA_DIR)")
      ->capture_default_str();

  int exit_code = 0;

  auto* init = app.add_subcommand("init", "Create an installation: config, key file, database");
  DatabaseUrls init_databases;
  init->add_option("--store-url", init_databases.store,
                   "Records database: sqlite:<path> (default sqlite:vigie.db) or postgresql://...");
  init->add_option("--audit-url", init_databases.audit,
                   "Audit log database: sqlite:<path> (default sqlite:audit.db) or "
                   "postgresql://... (a schema of its own)");
  init->callback([&] { exit_code = RunInit(data_dir, init_databases); });

  GenerateOptions generate;
  generate.surnames = std::filesystem::path(VIGIE_SHARE_DIR) / "surnames-fr.txt";
  auto* gen = app.add_subcommand("generate", "Write deterministic synthetic records (JSON Lines)");
  gen->add_option("-n,--persons", generate.persons, "How many persons")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}))
      ->capture_default_str();
  gen->add_option("--seed", generate.seed, "Random seed")->capture_default_str();
  gen->add_option("-o,--out", generate.out, "Output file (.jsonl) of persons, notices, entries");
  gen->add_option("--audit-events", generate.audit_events,
                  "Instead: append this many synthetic events to the installation's audit log")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10'000'000'000}))
      ->excludes("--persons");  // a count of persons the events would not use
  gen->add_option("--surnames", generate.surnames, "Long-tail surname list, one per line")
      ->capture_default_str();
  gen->callback([&] { exit_code = RunGenerate(data_dir, generate); });

  ImportCommandOptions import;
  auto* imp = app.add_subcommand("import", "Import persons, wanted notices and record entries");
  imp->add_option("file", import.file, "JSON Lines (.jsonl) or CSV (.csv) file")->required();
  imp->add_option("--format", import.format, "jsonl or csv (default: from the extension)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  auto* import_kind =
      imp->add_option("--kind", import.kind, "For CSV: person, wanted_notice or record_entry")
          ->capture_default_str();
  imp->add_flag("--skip-bad-lines", import.skip_bad_lines,
                "Import the good lines and report the bad ones (default: refuse the whole file)");
  imp->callback([&] {
    import.kind_given = import_kind->count() > 0;
    exit_code = RunImport(data_dir, import);
  });

  SearchCommandOptions search;
  auto* srch = app.add_subcommand("search", "Search persons by name (at most 20 summaries)");
  srch->add_option("-s,--surname", search.surname, "Surname (required)")->required();
  srch->add_option("-g,--given", search.given_name, "Given name");
  srch->add_option("-b,--birth", search.birth_date, "Birth date: YYYY, YYYY-MM or YYYY-MM-DD");
  srch->add_flag("--json", search.json, "Print JSON");
  AddConsultationOptions(*srch, search.consultation);
  srch->callback([&] { exit_code = RunSearch(data_dir, search); });

  ShowCommandOptions show_options;
  auto* show = app.add_subcommand("show", "Open one person's full file");
  show->add_option("person_id", show_options.person_id, "Person id from a search result")
      ->required()
      ->check(CLI::PositiveNumber);
  show->add_flag("--json", show_options.json, "Print JSON");
  AddConsultationOptions(*show, show_options.consultation);
  show->callback([&] { exit_code = RunShow(data_dir, show_options); });

  auto* audit = app.add_subcommand("audit", "The audit log");
  audit->require_subcommand(1);
  AuditVerifyOptions verify;
  auto* audit_verify = audit->add_subcommand("verify",
                                             "Check every event, chain link, checkpoint, signature "
                                             "and the person index; name the first bad event");
  audit_verify->add_option("--witness", verify.witness_file,
                           "Witness file to hold the log to (default: [audit] witness_file)");
  audit_verify->add_option("--from", verify.from_checkpoint,
                           "Start from the signed checkpoint of this tree size: the events "
                           "before it are not read, nor the person index checked");
  audit_verify->add_flag("--json", verify.json, "Print JSON");
  audit_verify->callback([&] { exit_code = RunAuditVerify(data_dir, verify); });
  AuditProveOptions prove;
  auto* audit_prove = audit->add_subcommand(
      "prove", "Print an RFC 9162 inclusion (--event) or consistency (--from, --to) proof as JSON");
  audit_prove->add_option("--event", prove.event, "Sequence number of the event to prove");
  audit_prove->add_option("--from", prove.from, "Older tree size (consistency)");
  audit_prove->add_option("--to", prove.to, "Newer tree size (default: the whole log)")
      ->excludes("--event");  // an inclusion proof is in the first checkpoint covering it
  audit_prove->callback([&] { exit_code = RunAuditProve(data_dir, prove); });
  AuditSearchOptions find;
  auto* audit_search = audit->add_subcommand("search",
                                             "Events matching every criterion given, one per line: "
                                             "JSON, syslog or CEF (resume with --after)");
  audit_search->add_option("--agent", find.agent, "Service number of the acting agent");
  audit_search->add_option("--unit", find.unit, "Unit code of the acting agent");
  audit_search->add_option("--session", find.session, "Session id");
  audit_search->add_option("--address", find.address, "Source IP address");
  audit_search->add_option("--type", find.type, "Event type, e.g. search, file_opening");
  audit_search->add_option("--person", find.person, "Who consulted this person (person id)");
  audit_search->add_option("--surname", find.surname, "Who searched for this surname");
  audit_search->add_option("--since", find.since, "From (UTC): YYYY-MM-DD[THH:MM:SSZ]");
  audit_search->add_option("--until", find.until, "Until (UTC), inclusive");
  audit_search
      ->add_option(
          "--after", find.after,
          "Only events numbered from this on, this one included (resume: last received + 1)")
      ->capture_default_str();
  audit_search->add_option("--limit", find.limit, "At most this many events")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
      ->capture_default_str();
  audit_search->add_option("--format", find.format, "jsonl, syslog (RFC 5424) or cef")
      ->capture_default_str();
  audit_search->callback([&] { exit_code = RunAuditSearch(data_dir, find); });

  auto* audit_keys = audit->add_subcommand(
      "public-keys",
      "Print every checkpoint signing key as \"<key id> <hex> [retired-after <size>]\" "
      "(the witness's log-keys.txt)");
  audit_keys->callback([&] { exit_code = RunAuditPublicKeys(data_dir); });
  auto* audit_witness = audit->add_subcommand(
      "witness", "Send the latest checkpoint to the configured witness now");
  audit_witness->callback([&] { exit_code = RunAuditWitness(data_dir); });

  auto* witness = app.add_subcommand(
      "witness", "The countersigning witness, run by another authority (no installation needed)");
  witness->require_subcommand(1);
  WitnessInitOptions witness_init;
  auto* witness_init_command =
      witness->add_subcommand("init", "Create a witness for one Vigie log; prints its public key");
  witness_init_command->add_option("--dir", witness_init.dir, "Directory to create")->required();
  witness_init_command
      ->add_option("--log-keys", witness_init.log_keys,
                   "File with the lines `vigie audit public-keys` printed (- for stdin)")
      ->required();
  witness_init_command->callback([&] { exit_code = RunWitnessInit(witness_init); });
  WitnessServeOptions witness_serve;
  auto* witness_serve_command =
      witness->add_subcommand("serve", "Receive, check, countersign and keep checkpoints");
  witness_serve_command->add_option("--dir", witness_serve.dir, "The witness directory")
      ->required();
  witness_serve_command->add_option("--listen", witness_serve.listen, "Address to listen on")
      ->capture_default_str();
  witness_serve_command->add_option("--port", witness_serve.port, "Port (0: any)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  witness_serve_command->add_option("--tls-certificate", witness_serve.tls_certificate,
                                    "PEM certificate chain (required beyond loopback)");
  witness_serve_command->add_option("--tls-key", witness_serve.tls_key, "PEM private key");
  witness_serve_command->callback([&] { exit_code = RunWitnessServe(witness_serve); });

  ServeOptions serve;
  auto* srv = app.add_subcommand("serve", "Serve API v1 over HTTPS until SIGTERM");
  srv->add_option("--port", serve.port, "Listen on this port instead of [server] port")
      ->check(CLI::Range(0, 65535));
  srv->callback([&] { exit_code = RunServe(data_dir, serve); });

  auto* unit = app.add_subcommand("unit", "Manage units (as the local operator)");
  unit->require_subcommand(1);
  identity::NewUnit new_unit;
  auto* unit_add = unit->add_subcommand("add", "Create a unit");
  unit_add->add_option("--code", new_unit.code, "Unit code, [A-Z0-9-]")->required();
  unit_add->add_option("--name", new_unit.name, "Unit name")->required();
  unit_add
      ->add_option("--kind", new_unit.kind,
                   "police, gendarmerie, municipal_police, customs, prefecture or other")
      ->required();
  unit_add->callback([&] { exit_code = RunUnitAdd(data_dir, new_unit); });
  bool units_json = false;
  auto* unit_list = unit->add_subcommand("list", "List units");
  unit_list->add_flag("--json", units_json, "Print JSON");
  unit_list->callback([&] { exit_code = RunUnitList(data_dir, units_json); });

  auto* agent = app.add_subcommand("agent", "Manage agents (as the local operator)");
  agent->require_subcommand(1);
  identity::NewAgent new_agent;
  auto* agent_add =
      agent->add_subcommand("add", "Create an agent; prints the activation code once");
  agent_add->add_option("--service-number", new_agent.service_number, "Service number")->required();
  agent_add->add_option("--name", new_agent.display_name, "Display name")->required();
  agent_add->add_option("--unit", new_agent.unit_code, "Unit code")->required();
  agent_add
      ->add_option("--role", new_agent.roles,
                   "Role (repeatable): agent, investigator, supervisor, security_officer, "
                   "administrator")
      ->required();
  agent_add->callback([&] { exit_code = RunAgentAdd(data_dir, new_agent); });
  std::string list_unit;
  bool agents_json = false;
  auto* agent_list = agent->add_subcommand("list", "List agents");
  agent_list->add_option("--unit", list_unit, "Only this unit's agents");
  agent_list->add_flag("--json", agents_json, "Print JSON");
  agent_list->callback([&] { exit_code = RunAgentList(data_dir, list_unit, agents_json); });
  std::string service_number;
  bool agent_json = false;
  struct ActionSpec {
    const char* name;
    const char* help;
    AgentAction action;
  };
  for (const ActionSpec& spec :
       {ActionSpec{"show", "Show an agent", AgentAction::kShow},
        ActionSpec{"suspend", "Suspend an agent and end their sessions", AgentAction::kSuspend},
        ActionSpec{"reinstate", "Lift a suspension or a lock", AgentAction::kReinstate},
        ActionSpec{"reset", "Erase credentials, end sessions, print a new activation code",
                   AgentAction::kReset}}) {
    auto* sub = agent->add_subcommand(spec.name, spec.help);
    sub->add_option("service_number", service_number, "Service number")->required();
    sub->add_flag("--json", agent_json, "Print JSON");
    AgentAction action = spec.action;
    sub->callback(
        [&, action] { exit_code = RunAgentAction(data_dir, action, service_number, agent_json); });
  }

  AlertListOptions alert_list;
  auto* alert = app.add_subcommand("alert", "Detection alerts (as the local operator)");
  alert->require_subcommand(1);
  auto* alert_list_command = alert->add_subcommand("list", "Open alerts, newest first");
  alert_list_command->add_flag("--all", alert_list.all, "Acknowledged alerts too");
  alert_list_command->add_option("--limit", alert_list.limit, "At most this many")
      ->check(CLI::Range(1, 1000));
  alert_list_command->add_flag("--json", alert_list.json, "One JSON object per line");
  alert_list_command->callback([&] { exit_code = RunAlertList(data_dir, alert_list); });
  int64_t alert_id = 0;
  std::string alert_note;
  auto* alert_ack = alert->add_subcommand("ack", "Acknowledge an alert");
  alert_ack->add_option("alert_id", alert_id, "Alert id")->required()->check(CLI::PositiveNumber);
  alert_ack->add_option("--note", alert_note, "What was found or done");
  alert_ack->callback([&] { exit_code = RunAlertAcknowledge(data_dir, alert_id, alert_note); });

  ContainOptions contain;
  auto* incident = app.add_subcommand("incident", "Contain an incident (as the local operator)");
  incident->require_subcommand(1);
  auto* contain_command = incident->add_subcommand(
      "contain",
      "Suspend agents, revoke every session, force new credentials at release; lock down");
  contain_command->add_option("--agent", contain.agents, "Service number (repeatable)");
  contain_command->add_option("--unit", contain.unit, "Every agent of this unit");
  contain_command->add_flag("--everyone", contain.everyone,
                            "Every agent (security officers excepted)");
  contain_command->add_flag("--lockdown", contain.lockdown,
                            "Only security officers may log in until released");
  contain_command->add_option("--reason", contain.reason, "Why (written to the audit log)")
      ->required();
  contain_command->add_flag("--json", contain.json, "Print JSON");
  contain_command->callback([&] { exit_code = RunIncidentContain(data_dir, contain); });
  int64_t incident_id = 0;
  bool reinstate = false;
  bool incident_json = false;
  auto* release_command =
      incident->add_subcommand("release",
                               "Lift a containment: erase credentials for an administrator's new "
                               "code (default) or --reinstate");
  release_command->add_option("incident_id", incident_id, "Incident id")
      ->required()
      ->check(CLI::PositiveNumber);
  release_command->add_flag("--reinstate", reinstate,
                            "Restore the agents as they were (a false alarm)");
  std::string release_reason;
  release_command->add_option("--reason", release_reason, "Why (written to the audit log)");
  release_command->add_flag("--json", incident_json, "Print JSON");
  release_command->callback([&] {
    exit_code = RunIncidentRelease(data_dir, incident_id, reinstate, release_reason, incident_json);
  });
  bool open_only = false;
  auto* incident_list = incident->add_subcommand("list", "Incidents, newest first");
  incident_list->add_flag("--open", open_only,
                          "Only those not released, or with agents their release has yet to lift");
  incident_list->add_flag("--json", incident_json, "One JSON object per line");
  incident_list->callback(
      [&] { exit_code = RunIncidentList(data_dir, open_only, incident_json); });
  auto* incident_agents = incident->add_subcommand(
      "agents", "Every agent an incident holds (the list names the first 20)");
  incident_agents->add_option("incident_id", incident_id, "Incident id")
      ->required()
      ->check(CLI::PositiveNumber);
  incident_agents->add_flag("--json", incident_json, "One JSON object per line");
  incident_agents->callback(
      [&] { exit_code = RunIncidentAgents(data_dir, incident_id, incident_json); });

  int canary_count = 20;
  auto* canary = app.add_subcommand("canary", "Decoy persons planted among the records");
  canary->require_subcommand(1);
  auto* canary_plant = canary->add_subcommand(
      "plant", "Add decoy persons: any search hit or opening raises a critical alert");
  canary_plant->add_option("--count", canary_count, "How many")->check(CLI::Range(1, 10000));
  canary_plant->callback([&] { exit_code = RunCanaryPlant(data_dir, canary_count); });
  auto* canary_list = canary->add_subcommand("list", "The decoys' person ids");
  canary_list->callback([&] { exit_code = RunCanaryList(data_dir); });

  // `vigie claim check`
  ClaimCheckCommandOptions claim_check;
  auto* claim = app.add_subcommand("claim", "Check a leaked sample against records and audit log");
  claim->require_subcommand(1);
  auto* claim_check_command = claim->add_subcommand(
      "check", "Per row: a real person? returned by Vigie, to which sessions, when?");
  claim_check_command
      ->add_option("file", claim_check.file, "CSV or JSON Lines sample (- for stdin)")
      ->required();
  claim_check_command
      ->add_option("--format", claim_check.format, "csv or jsonl (default: from the extension)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  claim_check_command
      ->add_option("--column", claim_check.columns,
                   "FIELD=COLUMN (repeatable): surname, given_names, birth_date, "
                   "person_id")
      ->allow_extra_args(false);
  claim_check_command->add_option("--out", claim_check.out,
                                  "Write the rows here (default: stdout)");
  claim_check_command
      ->add_option("--out-format", claim_check.out_format,
                   "jsonl or csv (default: from --out's extension, else jsonl)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  claim_check_command->add_flag("--json", claim_check.json, "Print the summary as JSON");
  claim_check_command->callback([&] { exit_code = RunClaimCheck(data_dir, claim_check); });

  // `vigie breach report`
  BreachReportOptions breach_report;
  auto* breach = app.add_subcommand("breach", "Incident response: what a breach exposed");
  breach->require_subcommand(1);
  auto* breach_report_command = breach->add_subcommand(
      "report", "Persons and records exposed through agents, sessions, keys or addresses");
  breach_report_command->add_option("--agent", breach_report.agents,
                                    "Service number (repeatable)");
  breach_report_command->add_option("--agent-id", breach_report.agent_ids,
                                    "Agent id as in the audit log (repeatable)");
  breach_report_command->add_option("--session", breach_report.sessions, "Session id (repeatable)");
  breach_report_command->add_option("--jkt", breach_report.jkts,
                                    "DPoP key thumbprint (repeatable)");
  breach_report_command->add_option("--address", breach_report.addresses,
                                    "Source IP address (repeatable)");
  breach_report_command->add_option("--since", breach_report.since,
                                    "From (UTC): YYYY-MM-DD[THH:MM:SSZ]");
  breach_report_command->add_option("--until", breach_report.until, "Until (UTC), inclusive");
  breach_report_command->add_option("--out", breach_report.out,
                                    "Directory for report.json, subjects.csv, report.html");
  breach_report_command->add_flag("--json", breach_report.json, "Instead: the JSON on stdout");
  breach_report_command->add_flag("--no-proofs", breach_report.no_proofs,
                                  "Skip the inclusion proofs (a faster first answer)");
  breach_report_command->add_option("--controller", breach_report.controller,
                                    "Controller's name (report.html)");
  breach_report_command->add_option("--contact", breach_report.contact,
                                    "DPO or other contact point (report.html)");
  breach_report_command->add_option("--consequences", breach_report.consequences,
                                    "Likely consequences (default: from what was exposed)");
  breach_report_command->add_option("--measures", breach_report.measures,
                                    "Measures taken or proposed (report.html)");
  // The notice's words go into report.html, which --json does not write.
  for (const char* notice : {"--controller", "--contact", "--consequences", "--measures"}) {
    breach_report_command->get_option(notice)->excludes("--json");
  }
  breach_report_command->callback(
      [&] { exit_code = RunBreachReport(data_dir, breach_report); });

  // `vigie migrate-store`
  MigrateStoreOptions migrate_store;
  auto* migrate_store_command = app.add_subcommand(
      "migrate-store",
      "Copy the records database and the audit log from SQLite to PostgreSQL, verify the copy, "
      "then point vigie.toml at it (stop `vigie serve` first)");
  migrate_store_command
      ->add_option("--to-store", migrate_store.store_url,
                   "Empty PostgreSQL schema for the records: postgresql://...")
      ->required();
  migrate_store_command
      ->add_option("--to-audit", migrate_store.audit_url,
                   "Empty PostgreSQL schema of its own for the audit log: postgresql://...")
      ->required();
  migrate_store_command->callback([&] { exit_code = RunMigrateStore(data_dir, migrate_store); });

  // `vigie keys`
  auto* keys = app.add_subcommand("keys", "The key file's keys, and rotating them");
  keys->require_subcommand(1);
  keys->add_subcommand("list", "Key ids, purposes and states (no key material)")
      ->callback([&] { exit_code = RunKeysList(data_dir); });
  keys->add_subcommand("rotate",
                       "Step 1: stage new records, TOTP-seed and audit-signing keys "
                       "(readable by every node that loads the file, not yet written with)")
      ->callback([&] { exit_code = RunKeysRotate(data_dir); });
  bool without_witness_check = false;
  auto* activate = keys->add_subcommand("activate", "Step 2: make the staged keys current");
  activate->add_flag("--without-witness-check", without_witness_check,
                     "Do not ask the configured witness whether it knows the staged signing "
                     "key (a witness down for good)");
  activate->callback(
      [&] { exit_code = RunKeysActivate(data_dir, /*check_witness=*/!without_witness_check); });
  uint32_t retired_key = 0;
  auto* retire = keys->add_subcommand(
      "retire",
      "Step 3: hold an old audit-signing key to the largest tree size it signed "
      "(once the new key has signed a checkpoint)");
  retire->add_option("key-id", retired_key, "The old key's id (`vigie keys list`)")->required();
  retire->callback([&] { exit_code = RunKeysRetire(data_dir, retired_key); });

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([&] { std::printf("vigie %s\n", VIGIE_VERSION); });

  ReadIntegersInDecimal(app);

  vigie::InitLogging(vigie::LogFormat::kHuman, "warn");
  try {
    app.parse(argc, argv);  // runs the command too
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // Out of memory reading a sample, a path that cannot be made absolute:
    // said and exited with, rather than an abort (and its core dump).
    return ReportError(
        vigie::Error(vigie::ErrorCode::kInternal, std::string("unexpected failure: ") + e.what()));
  }
  // What a command printed may still sit in stdout's buffer: an export to a
  // full disk must not end cut short with a success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    const int failed = ReportError(vigie::Error(vigie::ErrorCode::kUnavailable,
                                                "cannot write to standard output: the output is "
                                                "incomplete"));
    return exit_code != 0 ? exit_code : failed;
  }
  return exit_code;
}
