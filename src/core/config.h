#pragma once
// Vigie's configuration: a TOML file whose every key has a default.
// Loading validates types and ranges and refuses unknown keys, so a typo in a
// security setting is an error, not a silently ignored line.
// Thread-safety: Config is a plain value; copy it freely.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace vigie {

enum class LogFormat { kHuman, kJson };

struct Config {
  // Directory holding the config, key file and database; relative paths below
  // are resolved against it.
  std::filesystem::path data_dir;

  struct Store {
    // "sqlite:<path>" (embedded default) or "postgresql://..." (libpq URI).
    std::string url = "sqlite:vigie.db";
    int busy_timeout_ms = 5000;
    int statement_timeout_ms = 10000;  // PostgreSQL, a server's requests; 0: none
    // Page cache a bulk import may fill (MiB). Size it to the database
    // (~400 bytes a person): a smaller cache spills and rewrites pages.
    int import_cache_mib = 12288;
  } store;

  struct Crypto {
    std::string key_file = "vigie.key";
  } crypto;

  struct Log {
    LogFormat format = LogFormat::kHuman;
    std::string level = "info";  // trace, debug, info, warn, error, off
  } log;

  struct Search {
    int max_results = 20;  // Security: caps what one query can reveal.
    // How often a running server checks whether the records changed (an
    // import, planted canaries) and builds its index again; 0: at start only.
    int reload_check_ms = 2000;
  } search;

  // `vigie serve`: the HTTPS listener and its limits.
  struct Server {
    std::string listen = "127.0.0.1";  // plain HTTP only on loopback
    int port = 8443;
    std::string tls_certificate = "tls/cert.pem";  // "" = plain HTTP (loopback only)
    std::string tls_key = "tls/key.pem";
    std::string metrics_listen = "127.0.0.1";  // must be loopback
    int metrics_port = 9464;                   // 0 = no metrics listener
    int max_connections = 4096;
    int max_connections_per_address = 512;  // one client (an IPv6 /64); NAT exits share one
    int max_header_bytes = 8192;
    int max_body_bytes = 65536;
    int max_upload_bytes = 8 << 20;  // routes taking a file (a leaked sample to check)
    int read_timeout_ms = 10000;  // Security: slow clients are cut
    int idle_timeout_ms = 60000;
    int write_timeout_ms = 10000;     // a client too slow to take its answer is cut
    int drain_timeout_ms = 10000;     // on SIGTERM, in-flight requests get this long
    int max_concurrent_uploads = 4;   // bodies over max_body_bytes buffered at once
    int max_uploads_per_address = 1;  // of those, per client address (an IPv6 /64)
    int io_threads = 0;      // 0 = one per core
    int worker_threads = 0;  // 0 = two per core
    std::string public_url;  // DPoP htu base; "" = https://localhost:<port>
    // Load balancers (addresses, CIDR blocks) that must send a PROXY
    // protocol header naming the client; see http::ServerOptions.
    std::vector<std::string> proxy_protocol_from;
  } server;

  // Logins, activation and lock-out.
  struct Auth {
    int activation_valid_hours = 72;
    int lockout_failures = 5;  // failures within the window lock the account
    int lockout_window_minutes = 15;
    int lockout_minutes = 15;
    int argon2_passes = 2;          // Argon2id t, at most kMostArgon2Passes
    int argon2_memory_kib = 19456;  // Argon2id m, at most kMostArgon2MemoryKib
    static constexpr int kMostArgon2Passes = 10;
    static constexpr int kMostArgon2MemoryKib = 1 << 20;
    int hashing_threads = 1;        // Security: bounds the CPU a login flood can take
    int hashing_queue = 16;         // logins waiting beyond this are refused (429); each running
                                    // or waiting one holds a thread of its own (`vigie serve`
                                    // keeps at most 16 waiting)
    int address_attempts_per_minute = 30;
    // Refused second login steps, refreshes and passkey logins an address may
    // send (bucket as above, counted per node) before it is refused unheard.
    int failed_credentials_per_minute = 30;
    // Requests behind a session refused for their access token or proof an
    // address may send (counted per node) before it is refused unheard,
    // unless its token opens a live session.
    int failed_sessions_per_minute = 120;
  } auth;

  // Sessions bound to the client's DPoP key.
  struct Session {
    int access_token_seconds = 600;
    int idle_timeout_minutes = 30;
    int absolute_lifetime_hours = 12;
    int max_per_agent = 1;   // a new login ends the oldest beyond this
    int step_up_files = 10;  // files opened within the window before a fresh TOTP
    int step_up_window_minutes = 10;
    // DPoP proofs a node remembers against replay for their lifetime (about
    // 100 bytes each); beyond, requests are refused (429) until some expire.
    int dpop_proofs_remembered = 1'000'000;
  } session;

  // Per-agent consultation quotas (429 with Retry-After beyond them).
  struct Quota {
    int searches_per_hour = 300;
    int searches_per_day = 1500;
    int files_per_hour = 60;
    int files_per_day = 300;
    // Consultations one agent may have under way at once on a node (429
    // beyond): answers under way still leave when detection suspends.
    int consultations_at_once = 4;
  } quota;

  // The audit log (DESIGN invariant 1): its own database, checkpoints, and
  // how long a consultation may wait for its event to be durable.
  struct Audit {
    std::string url = "sqlite:audit.db";
    std::string witness_file = "audit-witness.jsonl";  // "" = none
    std::string node_id = "vigie";
    int max_wait_ms = 1000;  // beyond this a consultation is refused (503)
    int checkpoint_every_events = 10000;
    int checkpoint_every_ms = 10000;
    int max_size_mib = 0;  // 0 = no cap
    bool checkpoint_syslog = false;  // also send each checkpoint to syslog (authpriv)
    // The witness service (`vigie witness serve`, run by another authority)
    // that countersigns each checkpoint; "" = none.
    std::string witness_url;
    std::string witness_public_key;  // hex Ed25519, as `vigie witness init` printed it
    std::string witness_ca_file;     // PEM trust anchors for https; "" = the system's
    std::string cosignature_file = "audit-cosignatures.jsonl";  // the witness's answers
  } audit;

  // Detection rules over the audit stream (src/detect, docs/detection.md).
  // Each rule's action is "alert", "step_up" (a fresh second factor before
  // any further consultation), "suspend" (the agent, and every session) or
  // "off".
  struct Detect {
    bool enabled = true;
    int baseline_days = 28;   // the history each agent's baseline is learnt from
    int realert_minutes = 60;  // a rule alerts once per agent in this time
    int query_rate_per_minute = 30;
    std::string query_rate_action = "suspend";
    int persons_per_hour_floor = 30;  // distinct persons per hour, whatever the baseline
    int persons_per_hour_factor = 3;  // ... or this many times the agent's busiest usual hours
    int persons_per_hour_ceiling = 1000;  // ... but never more: a baseline cannot be ramped up
    std::string distinct_persons_action = "suspend";
    int enumeration_run = 5;  // consecutive searches walking surnames or birth dates in order
    int enumeration_case_list = 25;  // ... allowed under one case reference (an inquiry's list)
    int enumeration_case_references = 10;   // different references a day, each a search's only link
    int enumeration_window = 20;            // the last searches the shares are taken over
    int enumeration_miss_percent = 70;      // share of them finding nobody
    int enumeration_unlinked_percent = 90;  // share with no plausible purpose link
    std::string enumeration_action = "suspend";
    int off_hours_min_events = 200;  // history needed before an agent's hours are known
    int off_hours_percent = 1;       // an hour holding less than this share of it is unusual
    int off_hours_usual_days = 3;    // ... or seen on fewer days than this
    std::string off_hours_action = "alert";
    std::string new_network_action = "alert";
    std::string new_device_action = "alert";
    int dormant_days = 60;
    std::string dormant_action = "alert";
    int second_factor_failures = 3;
    int second_factor_window_minutes = 15;
    std::string second_factor_action = "alert";
    int concurrent_window_minutes = 15;
    std::string concurrent_addresses_action = "alert";
    std::string canary_action = "suspend";
    std::string refresh_reuse_action = "alert";
    int investigation_persons_per_day =
        20000;  // named by an officer's breach reports, claim checks
    std::string investigation_volume_action = "alert";
    std::string cloned_passkey_action = "alert";
  } detect;

  // The web portal `vigie serve` hosts beside the API, and its passkeys.
  struct Web {
    // The built page (web/dist); "" = the one of the source tree this binary
    // was built from. A root that does not exist serves the API alone.
    std::string root;
    // WebAuthn relying party: "" = the host of server.public_url. Passkeys
    // are bound to it: changing it invalidates every registered passkey.
    std::string rp_id;
    std::string rp_name = "Vigie";
  } web;

  // `path` resolved against data_dir unless absolute.
  std::filesystem::path Resolve(const std::string& path) const;
  // A store URL ready for store::Open: a relative sqlite: path resolved
  // against data_dir; a PostgreSQL URL as it is.
  std::string ResolveDatabaseUrl(std::string_view url) const;
};

// Parses TOML text. Errors (InvalidArgument) name the key and the problem.
Result<Config> ParseConfig(std::string_view toml_text, const std::filesystem::path& data_dir);

// Reads and parses <file>; data_dir is the file's directory.
Result<Config> LoadConfig(const std::filesystem::path& file);

// The default configuration as commented TOML, written by `vigie init`.
std::string DefaultConfigToml();

}  // namespace vigie
