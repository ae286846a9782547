#include "core/config.h"

#include <toml++/toml.h>

#include <boost/url/parse.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace vigie {
namespace {

// Walks one table, consuming known keys and reporting the first unknown one.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string prefix)
      : table_(table), prefix_(std::move(prefix)) {}

  Result<void> Read(std::string_view key, std::string& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return {};
    if (auto v = node->value<std::string>()) {
      out = *v;
      return {};
    }
    return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be a string");
  }

  Result<void> Read(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return {};
    const toml::array* array = node->as_array();
    if (array == nullptr) return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be an array");
    std::vector<std::string> values;
    for (const toml::node& element : *array) {
      auto v = element.value<std::string>();
      if (!v || !element.is_string()) {
        return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be an array of strings");
      }
      values.push_back(*v);
    }
    out = std::move(values);
    return {};
  }

  Result<void> Read(std::string_view key, bool& out) {
    const toml::node* node = Take(key);
    if (node == nullptr) return {};
    if (auto v = node->value<bool>(); v && node->is_boolean()) {
      out = *v;
      return {};
    }
    return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be true or false");
  }

  Result<void> Read(std::string_view key, int& out, int min, int max) {
    const toml::node* node = Take(key);
    if (node == nullptr) return {};
    if (!node->is_integer()) {
      return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be an integer");
    }
    int64_t v = *node->value<int64_t>();
    if (v < min || v > max) {
      return Fail(
          ErrorCode::kInvalidArgument,
          Name(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    out = static_cast<int>(v);
    return {};
  }

  // Sub-table (or nullptr when absent); refuses a non-table value.
  Result<const toml::table*> Table(std::string_view key) {
    const toml::node* node = Take(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) {
      return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be a table");
    }
    return node->as_table();
  }

  Result<void> RefuseUnknown() const {
    if (table_ == nullptr) return {};
    for (const auto& [k, v] : *table_) {
      if (!seen_.contains(std::string(k.str()))) {
        return Fail(ErrorCode::kInvalidArgument, "unknown key " + Name(k.str()));
      }
    }
    return {};
  }

 private:
  const toml::node* Take(std::string_view key) {
    seen_.insert(std::string(key));
    return table_ == nullptr ? nullptr : table_->get(key);
  }
  std::string Name(std::string_view key) const {
    return "'" + (prefix_.empty() ? "" : prefix_ + ".") + std::string(key) + "'";
  }

  const toml::table* table_;
  std::string prefix_;
  std::set<std::string> seen_;
};

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

Result<void> CheckDatabaseUrl(std::string_view key, std::string_view url) {
  const bool sqlite = url.starts_with("sqlite:") && url.size() > 7;
  if (!sqlite && !IsPostgresUrl(url)) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + std::string(key) + "' must look like sqlite:<path> or postgresql://...");
  }
  return {};
}

Result<void> ReadStore(const toml::table* t, Config::Store& s) {
  TableReader r(t, "store");
  RETURN_IF_ERROR(r.Read("url", s.url));
  RETURN_IF_ERROR(r.Read("busy_timeout_ms", s.busy_timeout_ms, 1, 600000));
  RETURN_IF_ERROR(r.Read("statement_timeout_ms", s.statement_timeout_ms, 0, 600000));
  RETURN_IF_ERROR(r.Read("import_cache_mib", s.import_cache_mib, 16, 1048576));
  RETURN_IF_ERROR(CheckDatabaseUrl("store.url", s.url));
  return r.RefuseUnknown();
}

Result<void> ReadCrypto(const toml::table* t, Config::Crypto& c) {
  TableReader r(t, "crypto");
  RETURN_IF_ERROR(r.Read("key_file", c.key_file));
  if (c.key_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "'crypto.key_file' must not be empty");
  }
  return r.RefuseUnknown();
}

Result<void> ReadLog(const toml::table* t, Config::Log& l) {
  TableReader r(t, "log");
  std::string format = l.format == LogFormat::kJson ? "json" : "human";
  RETURN_IF_ERROR(r.Read("format", format));
  if (format == "json") {
    l.format = LogFormat::kJson;
  } else if (format == "human") {
    l.format = LogFormat::kHuman;
  } else {
    return Fail(ErrorCode::kInvalidArgument, "'log.format' must be \"human\" or \"json\"");
  }
  RETURN_IF_ERROR(r.Read("level", l.level));
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.contains(l.level)) {
    return Fail(ErrorCode::kInvalidArgument,
                "'log.level' must be one of trace, debug, info, warn, error, off");
  }
  return r.RefuseUnknown();
}

Result<void> ReadSearch(const toml::table* t, Config::Search& s) {
  TableReader r(t, "search");
  RETURN_IF_ERROR(r.Read("max_results", s.max_results, 1, 20));
  RETURN_IF_ERROR(r.Read("reload_check_ms", s.reload_check_ms, 0, 3600000));
  return r.RefuseUnknown();
}

bool IsLoopbackAddress(std::string_view address) {
  return address == "::1" || address == "localhost" || address.starts_with("127.");
}

// The URL clients reach the portal at. A DPoP proof names it with the
// request's path appended: a query or fragment would swallow that path, and
// every route would share one URL.
bool IsPortalUrl(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return false;
  const std::string_view scheme = parsed->scheme();
  return (scheme == "https" || scheme == "http") && parsed->has_authority() &&
         !parsed->has_userinfo() && !parsed->encoded_host().empty() && !parsed->has_query();
}

Result<void> ReadServer(const toml::table* t, Config::Server& s) {
  TableReader r(t, "server");
  RETURN_IF_ERROR(r.Read("listen", s.listen));
  RETURN_IF_ERROR(r.Read("port", s.port, 0, 65535));
  RETURN_IF_ERROR(r.Read("tls_certificate", s.tls_certificate));
  RETURN_IF_ERROR(r.Read("tls_key", s.tls_key));
  RETURN_IF_ERROR(r.Read("metrics_listen", s.metrics_listen));
  RETURN_IF_ERROR(r.Read("metrics_port", s.metrics_port, 0, 65535));
  RETURN_IF_ERROR(r.Read("max_connections", s.max_connections, 1, 1000000));
  RETURN_IF_ERROR(r.Read("max_connections_per_address", s.max_connections_per_address, 1, 1000000));
  RETURN_IF_ERROR(r.Read("max_header_bytes", s.max_header_bytes, 1024, 1 << 20));
  RETURN_IF_ERROR(r.Read("max_body_bytes", s.max_body_bytes, 1024, 16 << 20));
  RETURN_IF_ERROR(r.Read("max_upload_bytes", s.max_upload_bytes, 1024, 64 << 20));
  RETURN_IF_ERROR(r.Read("read_timeout_ms", s.read_timeout_ms, 100, 600000));
  RETURN_IF_ERROR(r.Read("idle_timeout_ms", s.idle_timeout_ms, 100, 3600000));
  RETURN_IF_ERROR(r.Read("write_timeout_ms", s.write_timeout_ms, 100, 600000));
  // At most 20 s: the systemd unit kills the service 30 s after SIGTERM, and
  // the audit log still has to sign its last checkpoint after the drain.
  RETURN_IF_ERROR(r.Read("drain_timeout_ms", s.drain_timeout_ms, 0, 20000));
  RETURN_IF_ERROR(r.Read("max_concurrent_uploads", s.max_concurrent_uploads, 1, 1024));
  RETURN_IF_ERROR(r.Read("max_uploads_per_address", s.max_uploads_per_address, 1, 1024));
  RETURN_IF_ERROR(r.Read("io_threads", s.io_threads, 0, 256));
  RETURN_IF_ERROR(r.Read("worker_threads", s.worker_threads, 0, 1024));
  RETURN_IF_ERROR(r.Read("public_url", s.public_url));
  RETURN_IF_ERROR(r.Read("proxy_protocol_from", s.proxy_protocol_from));
  // Security: plain HTTP exposes tokens and records to the network.
  if (s.tls_certificate.empty() != s.tls_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "'server.tls_certificate' and 'server.tls_key' go together");
  }
  if (s.tls_certificate.empty() && !IsLoopbackAddress(s.listen)) {
    return Fail(ErrorCode::kInvalidArgument,
                "plain HTTP (no 'server.tls_certificate') is only allowed on a loopback "
                "'server.listen' address");
  }
  if (!IsLoopbackAddress(s.metrics_listen)) {
    return Fail(ErrorCode::kInvalidArgument, "'server.metrics_listen' must be a loopback address");
  }
  if (!s.public_url.empty() && !IsPortalUrl(s.public_url)) {
    return Fail(ErrorCode::kInvalidArgument,
                "'server.public_url' must be an http(s) URL with a host and no user, query "
                "or fragment");
  }
  return r.RefuseUnknown();
}

Result<void> ReadAuth(const toml::table* t, Config::Auth& a) {
  TableReader r(t, "auth");
  RETURN_IF_ERROR(r.Read("activation_valid_hours", a.activation_valid_hours, 1, 24 * 30));
  RETURN_IF_ERROR(r.Read("lockout_failures", a.lockout_failures, 1, 100));
  RETURN_IF_ERROR(r.Read("lockout_window_minutes", a.lockout_window_minutes, 1, 24 * 60));
  RETURN_IF_ERROR(r.Read("lockout_minutes", a.lockout_minutes, 1, 24 * 60));
  RETURN_IF_ERROR(r.Read("argon2_passes", a.argon2_passes, 1, Config::Auth::kMostArgon2Passes));
  RETURN_IF_ERROR(
      r.Read("argon2_memory_kib", a.argon2_memory_kib, 8192, Config::Auth::kMostArgon2MemoryKib));
  // Security: OWASP's lowest Argon2id settings trade memory for passes
  // (19 MiB x 2, 12 MiB x 3, 9 MiB x 4, 7 MiB x 5); below their product a
  // stolen hash is cheaper to attack, and stored hashes follow the settings
  // down at each agent's next login.
  constexpr int64_t kMinArgon2Cost = 7168 * 5;
  if (int64_t{a.argon2_memory_kib} * a.argon2_passes < kMinArgon2Cost) {
    return Fail(ErrorCode::kInvalidArgument,
                "'auth.argon2_memory_kib' x 'auth.argon2_passes' must be at least " +
                    std::to_string(kMinArgon2Cost) + " (OWASP's minimum Argon2id settings)");
  }
  RETURN_IF_ERROR(r.Read("hashing_threads", a.hashing_threads, 1, 64));
  RETURN_IF_ERROR(r.Read("hashing_queue", a.hashing_queue, 0, 100000));
  RETURN_IF_ERROR(r.Read("address_attempts_per_minute", a.address_attempts_per_minute, 1, 100000));
  RETURN_IF_ERROR(
      r.Read("failed_credentials_per_minute", a.failed_credentials_per_minute, 1, 100000));
  RETURN_IF_ERROR(r.Read("failed_sessions_per_minute", a.failed_sessions_per_minute, 1, 100000));
  return r.RefuseUnknown();
}

Result<void> ReadSession(const toml::table* t, Config::Session& s) {
  TableReader r(t, "session");
  RETURN_IF_ERROR(r.Read("access_token_seconds", s.access_token_seconds, 30, 3600));
  RETURN_IF_ERROR(r.Read("idle_timeout_minutes", s.idle_timeout_minutes, 1, 24 * 60));
  RETURN_IF_ERROR(r.Read("absolute_lifetime_hours", s.absolute_lifetime_hours, 1, 24));
  RETURN_IF_ERROR(r.Read("max_per_agent", s.max_per_agent, 1, 16));
  RETURN_IF_ERROR(r.Read("step_up_files", s.step_up_files, 1, 10000));
  RETURN_IF_ERROR(r.Read("step_up_window_minutes", s.step_up_window_minutes, 1, 24 * 60));
  RETURN_IF_ERROR(r.Read("dpop_proofs_remembered", s.dpop_proofs_remembered, 1, 100'000'000));
  return r.RefuseUnknown();
}

Result<void> ReadQuota(const toml::table* t, Config::Quota& q) {
  TableReader r(t, "quota");
  RETURN_IF_ERROR(r.Read("searches_per_hour", q.searches_per_hour, 1, 1000000));
  RETURN_IF_ERROR(r.Read("searches_per_day", q.searches_per_day, 1, 10000000));
  RETURN_IF_ERROR(r.Read("files_per_hour", q.files_per_hour, 1, 1000000));
  RETURN_IF_ERROR(r.Read("files_per_day", q.files_per_day, 1, 10000000));
  RETURN_IF_ERROR(r.Read("consultations_at_once", q.consultations_at_once, 1, 1000));
  if (q.searches_per_day < q.searches_per_hour || q.files_per_day < q.files_per_hour) {
    return Fail(ErrorCode::kInvalidArgument, "a daily quota must not be below the hourly one");
  }
  return r.RefuseUnknown();
}

Result<void> ReadAudit(const toml::table* t, Config::Audit& a) {
  TableReader r(t, "audit");
  RETURN_IF_ERROR(r.Read("url", a.url));
  RETURN_IF_ERROR(CheckDatabaseUrl("audit.url", a.url));
  RETURN_IF_ERROR(r.Read("witness_file", a.witness_file));
  RETURN_IF_ERROR(r.Read("node_id", a.node_id));
  if (a.node_id.empty() || a.node_id.size() > 64) {
    return Fail(ErrorCode::kInvalidArgument, "'audit.node_id' must be 1 to 64 characters");
  }
  RETURN_IF_ERROR(r.Read("max_wait_ms", a.max_wait_ms, 10, 60000));
  RETURN_IF_ERROR(r.Read("checkpoint_every_events", a.checkpoint_every_events, 1, 100000000));
  RETURN_IF_ERROR(r.Read("checkpoint_every_ms", a.checkpoint_every_ms, 10, 86400000));
  RETURN_IF_ERROR(r.Read("max_size_mib", a.max_size_mib, 0, 1 << 30));
  RETURN_IF_ERROR(r.Read("checkpoint_syslog", a.checkpoint_syslog));
  RETURN_IF_ERROR(r.Read("witness_url", a.witness_url));
  RETURN_IF_ERROR(r.Read("witness_public_key", a.witness_public_key));
  RETURN_IF_ERROR(r.Read("witness_ca_file", a.witness_ca_file));
  RETURN_IF_ERROR(r.Read("cosignature_file", a.cosignature_file));
  if (!a.witness_url.empty() && !a.witness_url.starts_with("https://") &&
      !a.witness_url.starts_with("http://")) {
    return Fail(ErrorCode::kInvalidArgument, "'audit.witness_url' must be an http(s) URL");
  }
  const bool hex_key = a.witness_public_key.size() == 64 &&
                       a.witness_public_key.find_first_not_of("0123456789abcdef") == std::string::npos;
  if ((!a.witness_url.empty() || !a.witness_public_key.empty()) && !hex_key) {
    return Fail(ErrorCode::kInvalidArgument,
                "'audit.witness_public_key' must be the witness's key: 64 lowercase hex digits");
  }
  // A witness's key alone (an installation that only checks what another
  // node published) reads the cosignatures kept there too.
  if ((!a.witness_url.empty() || !a.witness_public_key.empty()) && a.cosignature_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "'audit.cosignature_file' is needed with a witness");
  }
  return r.RefuseUnknown();
}

Result<void> ReadDetectAction(TableReader& r, std::string_view key, std::string& action) {
  RETURN_IF_ERROR(r.Read(key, action));
  if (action != "alert" && action != "step_up" && action != "suspend" && action != "off") {
    return Fail(ErrorCode::kInvalidArgument, "'detect." + std::string(key) +
                                                 "' must be \"alert\", \"step_up\", "
                                                 "\"suspend\" or \"off\"");
  }
  return {};
}

Result<void> ReadDetect(const toml::table* t, Config::Detect& d) {
  TableReader r(t, "detect");
  RETURN_IF_ERROR(r.Read("enabled", d.enabled));
  RETURN_IF_ERROR(r.Read("baseline_days", d.baseline_days, 1, 366));
  RETURN_IF_ERROR(r.Read("realert_minutes", d.realert_minutes, 1, 7 * 24 * 60));
  // Upper bounds below detection's per-agent windows (100 000 entries): a
  // threshold they cannot exceed would never fire.
  RETURN_IF_ERROR(r.Read("query_rate_per_minute", d.query_rate_per_minute, 1, 50000));
  RETURN_IF_ERROR(ReadDetectAction(r, "query_rate_action", d.query_rate_action));
  RETURN_IF_ERROR(r.Read("persons_per_hour_floor", d.persons_per_hour_floor, 1, 50000));
  RETURN_IF_ERROR(r.Read("persons_per_hour_factor", d.persons_per_hour_factor, 1, 1000));
  RETURN_IF_ERROR(r.Read("persons_per_hour_ceiling", d.persons_per_hour_ceiling, 1, 50000));
  if (d.persons_per_hour_ceiling < d.persons_per_hour_floor) {
    return Fail(ErrorCode::kInvalidArgument,
                "detect.persons_per_hour_ceiling must be at least persons_per_hour_floor");
  }
  RETURN_IF_ERROR(ReadDetectAction(r, "distinct_persons_action", d.distinct_persons_action));
  RETURN_IF_ERROR(r.Read("enumeration_run", d.enumeration_run, 2, 1000));
  RETURN_IF_ERROR(r.Read("enumeration_case_list", d.enumeration_case_list, 2, 100000));
  RETURN_IF_ERROR(r.Read("enumeration_case_references", d.enumeration_case_references, 1, 100000));
  RETURN_IF_ERROR(r.Read("enumeration_window", d.enumeration_window, 2, 1000));
  RETURN_IF_ERROR(r.Read("enumeration_miss_percent", d.enumeration_miss_percent, 1, 100));
  RETURN_IF_ERROR(r.Read("enumeration_unlinked_percent", d.enumeration_unlinked_percent, 1, 100));
  RETURN_IF_ERROR(ReadDetectAction(r, "enumeration_action", d.enumeration_action));
  RETURN_IF_ERROR(r.Read("off_hours_min_events", d.off_hours_min_events, 1, 100000000));
  RETURN_IF_ERROR(r.Read("off_hours_percent", d.off_hours_percent, 1, 100));
  RETURN_IF_ERROR(r.Read("off_hours_usual_days", d.off_hours_usual_days, 1, 31));
  RETURN_IF_ERROR(ReadDetectAction(r, "off_hours_action", d.off_hours_action));
  RETURN_IF_ERROR(ReadDetectAction(r, "new_network_action", d.new_network_action));
  RETURN_IF_ERROR(ReadDetectAction(r, "new_device_action", d.new_device_action));
  RETURN_IF_ERROR(r.Read("dormant_days", d.dormant_days, 1, 3650));
  RETURN_IF_ERROR(ReadDetectAction(r, "dormant_action", d.dormant_action));
  RETURN_IF_ERROR(r.Read("second_factor_failures", d.second_factor_failures, 1, 1000));
  RETURN_IF_ERROR(
      r.Read("second_factor_window_minutes", d.second_factor_window_minutes, 1, 24 * 60));
  RETURN_IF_ERROR(ReadDetectAction(r, "second_factor_action", d.second_factor_action));
  RETURN_IF_ERROR(r.Read("concurrent_window_minutes", d.concurrent_window_minutes, 1, 24 * 60));
  RETURN_IF_ERROR(
      ReadDetectAction(r, "concurrent_addresses_action", d.concurrent_addresses_action));
  RETURN_IF_ERROR(ReadDetectAction(r, "canary_action", d.canary_action));
  RETURN_IF_ERROR(ReadDetectAction(r, "refresh_reuse_action", d.refresh_reuse_action));
  RETURN_IF_ERROR(
      r.Read("investigation_persons_per_day", d.investigation_persons_per_day, 1, 100000000));
  RETURN_IF_ERROR(
      ReadDetectAction(r, "investigation_volume_action", d.investigation_volume_action));
  RETURN_IF_ERROR(ReadDetectAction(r, "cloned_passkey_action", d.cloned_passkey_action));
  return r.RefuseUnknown();
}

Result<void> ReadWeb(const toml::table* t, Config::Web& w) {
  TableReader r(t, "web");
  RETURN_IF_ERROR(r.Read("root", w.root));
  RETURN_IF_ERROR(r.Read("rp_id", w.rp_id));
  RETURN_IF_ERROR(r.Read("rp_name", w.rp_name));
  // A registrable domain name: lower-case letters, digits, dots and hyphens.
  for (char c : w.rp_id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return Fail(ErrorCode::kInvalidArgument,
                  "'web.rp_id' must be a lower-case domain name, e.g. \"vigie.example.fr\"");
    }
  }
  if (w.rp_name.empty() || w.rp_name.size() > 64) {
    return Fail(ErrorCode::kInvalidArgument, "'web.rp_name' must hold 1 to 64 characters");
  }
  return r.RefuseUnknown();
}

// Whether two resolved database URLs name one database: SQLite's as the
// files they reach (`v.db`, `./v.db`, a link to it), others as written.
bool SameDatabase(std::string_view a, std::string_view b) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (!a.starts_with(kSqlite) || !b.starts_with(kSqlite)) return a == b;
  auto reached = [&](std::string_view url) {
    const std::filesystem::path path(url.substr(kSqlite.size()));
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
    return ec ? path.lexically_normal() : canonical;
  };
  return reached(a) == reached(b);
}

}  // namespace

std::filesystem::path Config::Resolve(const std::string& path) const {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : data_dir / p;
}

std::string Config::ResolveDatabaseUrl(std::string_view url) const {
  if (!url.starts_with("sqlite:")) return std::string(url);
  return "sqlite:" + Resolve(std::string(url.substr(std::string_view("sqlite:").size()))).string();
}

Result<Config> ParseConfig(std::string_view toml_text, const std::filesystem::path& data_dir) {
  // The Debian toml++ library is built with exceptions: catch them here so
  // none crosses the component boundary.
  toml::table parsed;
  try {
    parsed = toml::parse(toml_text);
  } catch (const toml::parse_error& err) {
    std::ostringstream msg;
    msg << "config is not valid TOML at line " << err.source().begin.line << ": "
        << err.description();
    return Fail(ErrorCode::kInvalidArgument, msg.str());
  }
  Config config;
  config.data_dir = data_dir;
  TableReader root(&parsed, "");
  ASSIGN_OR_RETURN(const toml::table* store, root.Table("store"));
  RETURN_IF_ERROR(ReadStore(store, config.store));
  ASSIGN_OR_RETURN(const toml::table* crypto, root.Table("crypto"));
  RETURN_IF_ERROR(ReadCrypto(crypto, config.crypto));
  ASSIGN_OR_RETURN(const toml::table* log, root.Table("log"));
  RETURN_IF_ERROR(ReadLog(log, config.log));
  ASSIGN_OR_RETURN(const toml::table* search, root.Table("search"));
  RETURN_IF_ERROR(ReadSearch(search, config.search));
  ASSIGN_OR_RETURN(const toml::table* server, root.Table("server"));
  RETURN_IF_ERROR(ReadServer(server, config.server));
  ASSIGN_OR_RETURN(const toml::table* auth, root.Table("auth"));
  RETURN_IF_ERROR(ReadAuth(auth, config.auth));
  ASSIGN_OR_RETURN(const toml::table* session, root.Table("session"));
  RETURN_IF_ERROR(ReadSession(session, config.session));
  ASSIGN_OR_RETURN(const toml::table* quota, root.Table("quota"));
  RETURN_IF_ERROR(ReadQuota(quota, config.quota));
  ASSIGN_OR_RETURN(const toml::table* audit, root.Table("audit"));
  RETURN_IF_ERROR(ReadAudit(audit, config.audit));
  // Both keep a schema_version of their own: in one database, each would
  // read the other's and refuse to run ("newer than this binary knows").
  if (SameDatabase(config.ResolveDatabaseUrl(config.store.url),
                   config.ResolveDatabaseUrl(config.audit.url))) {
    return Fail(ErrorCode::kInvalidArgument,
                "'audit.url' names the records database ('store.url'): the audit log needs a "
                "database, or a schema, of its own");
  }
  ASSIGN_OR_RETURN(const toml::table* detect, root.Table("detect"));
  RETURN_IF_ERROR(ReadDetect(detect, config.detect));
  ASSIGN_OR_RETURN(const toml::table* web, root.Table("web"));
  RETURN_IF_ERROR(ReadWeb(web, config.web));
  RETURN_IF_ERROR(root.RefuseUnknown());
  return config;
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read config file " + file.string());
  // Security: a text cut short by a read error (or a directory, which opens)
  // would parse with every missing key at its default, the hardened ones too.
  std::error_code kind_error;
  if (!std::filesystem::is_regular_file(file, kind_error)) {
    return Fail(ErrorCode::kInvalidArgument, "config file " + file.string() + " is not a file");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Fail(ErrorCode::kUnavailable, "cannot read config file " + file.string());
  auto config = ParseConfig(buffer.str(), std::filesystem::absolute(file).parent_path());
  if (!config) return Fail(config.error().WithContext(file.string()));
  return config;
}

std::string DefaultConfigToml() {
  return R"(# Vigie configuration. Every key is optional; shown values are the defaults.
# Relative paths are resolved against the directory holding this file.

[store]
url = "sqlite:vigie.db"       # embedded SQLite database, or a PostgreSQL server:
                              # "postgresql://vigie@db.example/vigie?sslmode=verify-full"
                              # (password in ~/.pgpass, never here; docs/operations.md)
busy_timeout_ms = 5000        # how long a writer waits for a lock before its request is
                              # refused (SQLite's busy timeout, PostgreSQL's lock_timeout)
statement_timeout_ms = 10000  # PostgreSQL: a server's statement running longer is
                              # cancelled and its request refused (a hung database
                              # fails requests instead of holding them); 0 = none
import_cache_mib = 12288      # page cache a bulk import may fill; ~400 bytes a person

[crypto]
key_file = "vigie.key"        # master key; must be mode 0600, keep it apart from backups

[log]
format = "human"              # "human" or "json" (JSON lines)
level = "info"                # trace, debug, info, warn, error, off

[search]
max_results = 20              # at most 20 summaries per search
reload_check_ms = 2000        # how often a server looks for imported records (0: only at start)

[server]
listen = "127.0.0.1"
port = 8443
tls_certificate = "tls/cert.pem"  # "" serves plain HTTP, refused unless listen is loopback
tls_key = "tls/key.pem"
metrics_listen = "127.0.0.1"  # /metrics (Prometheus) on its own loopback listener
metrics_port = 9464           # 0 = no metrics listener
max_connections = 4096        # at the cap, a newcomer's request takes the longest-idle one's place
max_connections_per_address = 512  # one client address (an IPv6 /64); a station's NAT is one
max_header_bytes = 8192
max_body_bytes = 65536
max_upload_bytes = 8388608    # the few routes taking a file (POST /api/v1/claim-checks)
read_timeout_ms = 10000       # slow clients are cut
idle_timeout_ms = 60000
write_timeout_ms = 10000      # a client too slow to take its answer is cut
drain_timeout_ms = 10000      # on SIGTERM, in-flight requests get this long (at most 20000)
max_concurrent_uploads = 4    # claim-check files buffered at once (read before anyone is known)
max_uploads_per_address = 1   # of those, per client address (an IPv6 /64)
io_threads = 0                # 0 = one per core
worker_threads = 0            # 0 = two per core (consultations hold no thread while audited)
public_url = ""               # the URL clients use (DPoP htu); "" = https://localhost:<port>
proxy_protocol_from = []      # balancers sending a PROXY header (v1/v2), e.g. ["10.10.0.0/24"]

[auth]
activation_valid_hours = 72
lockout_failures = 5          # failed logins within the window lock the account
lockout_window_minutes = 15
lockout_minutes = 15
argon2_passes = 2             # Argon2id t; hashes are upgraded at the next login
argon2_memory_kib = 19456     # Argon2id m (KiB); m x t at least 35840 (OWASP)
hashing_threads = 1           # password hashing never takes more than this many cores
hashing_queue = 16            # logins waiting beyond this are refused (429); each running
                              # or waiting one holds a thread of its own, never a worker
                              # (`vigie serve` keeps at most 16 waiting)
address_attempts_per_minute = 30
failed_credentials_per_minute = 30  # refused second steps, refreshes, passkey logins
                                    # per address, then 429 before any check
failed_sessions_per_minute = 120   # refused access tokens and proofs per address,
                                   # then 429 unless the token is a live session's

[session]
access_token_seconds = 600
idle_timeout_minutes = 30
absolute_lifetime_hours = 12
max_per_agent = 1             # a new login ends the agent's older session
step_up_files = 10            # full files opened within the window before a fresh TOTP
step_up_window_minutes = 10
dpop_proofs_remembered = 1000000  # against replay, for a proof's lifetime (~100 B each);
                              # beyond, requests get 429 until some expire

[quota]
searches_per_hour = 300
searches_per_day = 1500
files_per_hour = 60
files_per_day = 300
consultations_at_once = 4     # under way at once per agent on a node; beyond, 429
                              # (answers under way still leave when detection suspends)

[audit]
url = "sqlite:audit.db"       # the audit log's own database; put it on another disk if you can.
                              # On PostgreSQL, a schema of its own: "postgresql://...?options=-csearch_path%3Daudit"
witness_file = "audit-witness.jsonl"  # signed checkpoints, appended; "" = none. Ship it away.
node_id = "vigie"             # names this server in the events it writes
max_wait_ms = 1000            # a consultation whose event is not durable by then is refused
checkpoint_every_events = 10000
checkpoint_every_ms = 10000
max_size_mib = 0              # refuse consultations beyond this size (MiB); 0 = no cap
checkpoint_syslog = false     # also send each signed checkpoint to syslog (authpriv), e.g. to a SIEM
# A witness run by another authority countersigns every checkpoint, so not even
# whoever runs Vigie can truncate or fork the log unseen (`vigie witness init`).
witness_url = ""              # e.g. "https://witness.inspection.example:8444"; "" = none
witness_public_key = ""       # the 64 hex digits `vigie witness init` printed
witness_ca_file = ""          # PEM trust anchors for the witness's https; "" = the system's
cosignature_file = "audit-cosignatures.jsonl"  # the witness's countersignatures, appended

[detect]
# Rules over the audit stream (docs/detection.md). Each *_action is "alert",
# "step_up" (a fresh second factor before any further consultation), "suspend"
# (the agent and every session, at once) or "off". Every firing is an alert.
enabled = true
baseline_days = 28            # each agent's baseline is learnt from this much history
realert_minutes = 60          # a rule alerts once per agent within this time (suspending rules: once a minute)
query_rate_per_minute = 30
query_rate_action = "suspend"
persons_per_hour_floor = 30   # distinct persons in an hour beyond this ...
persons_per_hour_factor = 3   # ... and beyond this many times the agent's usual busiest hours
persons_per_hour_ceiling = 1000  # ... or beyond this, however busy the agent has been
distinct_persons_action = "suspend"
enumeration_run = 5           # consecutive searches walking surnames or birth dates in order
enumeration_case_list = 25    # ... tolerated under one case reference (an inquiry's list of names)
enumeration_case_references = 10  # different case references in a day, each a search's only link
enumeration_window = 20       # the last searches the shares below are taken over
enumeration_miss_percent = 70       # ... finding nobody
enumeration_unlinked_percent = 90   # ... with no plausible purpose link
enumeration_action = "suspend"
off_hours_min_events = 200    # history needed before an agent's usual hours are known
off_hours_percent = 1         # an hour holding less than this share of them is unusual
off_hours_usual_days = 3      # ... or active on fewer days than this (an intruder's night teaches one)
off_hours_action = "alert"
new_network_action = "alert"  # an address outside every network the agent used
new_device_action = "alert"   # a DPoP key never seen for the agent, at login
dormant_days = 60
dormant_action = "alert"
second_factor_failures = 3    # failed second factors within the window
second_factor_window_minutes = 15
second_factor_action = "alert"
concurrent_window_minutes = 15
concurrent_addresses_action = "alert"  # the agent's sessions used from two networks at once
canary_action = "suspend"     # a decoy person was found or opened: always critical
refresh_reuse_action = "alert"  # a refresh token presented twice: the session was stolen
investigation_persons_per_day = 20000  # persons an officer's investigations name within a day ...
investigation_volume_action = "alert"  # ... beyond this (breach reports with names, claim checks)
cloned_passkey_action = "alert"  # a passkey signed with a counter behind its own: it was copied

[web]
root = ""                     # the built web portal (web/dist); "" = the source tree's
rp_id = ""                    # passkeys' relying party; "" = the host of server.public_url
rp_name = "Vigie"
)";
}

}  // namespace vigie
