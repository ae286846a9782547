// `vigie serve`: loads the search index (and builds it again when the
// records change), then serves API v1 and the web portal over HTTPS (or
// plain HTTP on loopback) until SIGTERM/SIGINT, finishing in-flight requests.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <stop_token>
#include <thread>

#include "api/api_v1.h"
#include "api/relying_party.h"
#include "app/detection_catch_up.h"
#include "app/portal.h"
#include "audit/node_claim.h"
#include "cli/admin_portal.h"
#include "cli/commands.h"
#include "cli/installation.h"
#include "cli/progress.h"
#include "core/log.h"
#include "core/stoppable_sleep.h"
#include "detect/detection_rules.h"
#include "http/problem.h"
#include "http/server.h"
#include "identity/identity.h"
#include "identity/shared_login_throttle.h"
#include "records/live_search.h"
#include "session/proof_watermark.h"
#include "store/clock_check.h"
#include "store/clock_watch.h"
#include "store/connection_pool.h"
#include "store/retry.h"
#include "web/static_site.h"

namespace vigie::cli {
namespace {

size_t OrDefault(int configured, size_t fallback) {
  return configured > 0 ? static_cast<size_t>(configured) : fallback;
}

// Security: a clock set back while serving leaves the proofs already
// accepted ahead of it, where a crash followed by a start on that clock
// would accept them again; checked each second, the watermark notes them.
std::jthread WatchForAClockSetBack(session::ProofWatermark& watermark, const api::ApiV1& api,
                                   const Clock& clock) {
  return std::jthread([&watermark, &api, &clock](std::stop_token stop) {
    while (SleepUnlessStopped(stop, std::chrono::seconds(1))) {
      const int64_t latest = api.latest_proof_accepted();
      auto noted = watermark.NoteClock(latest, UnixSeconds(clock.Now()));
      if (!noted) {
        Log(LogLevel::kWarn, "dpop_proof_watermark_not_recorded",
            {{"error", noted.error().message()}});
      } else if (*noted) {
        Log(LogLevel::kWarn, "clock_set_back_behind_accepted_proofs",
            {{"latest_iat", std::to_string(latest)}});
      }
    }
  });
}

http::ServerOptions ServerOptionsFrom(const Config& config) {
  const Config::Server& s = config.server;
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  http::ServerOptions options;
  options.listen_address = s.listen;
  options.port = static_cast<uint16_t>(s.port);
  if (!s.tls_certificate.empty()) {
    options.tls = http::TlsFiles{config.Resolve(s.tls_certificate).string(),
                                 config.Resolve(s.tls_key).string()};
  }
  options.max_header_bytes = static_cast<size_t>(s.max_header_bytes);
  options.max_body_bytes = static_cast<size_t>(s.max_body_bytes);
  options.max_upload_bytes = static_cast<size_t>(s.max_upload_bytes);
  for (std::string_view path : api::ApiV1::UploadPaths()) options.upload_paths.emplace_back(path);
  options.read_timeout = std::chrono::milliseconds(s.read_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  options.write_timeout = std::chrono::milliseconds(s.write_timeout_ms);
  options.drain_timeout = std::chrono::milliseconds(s.drain_timeout_ms);
  options.max_concurrent_uploads = static_cast<size_t>(s.max_concurrent_uploads);
  options.max_uploads_per_address = static_cast<size_t>(s.max_uploads_per_address);
  options.max_connections = static_cast<size_t>(s.max_connections);
  options.max_connections_per_address = static_cast<size_t>(s.max_connections_per_address);
  options.proxy_protocol_from = s.proxy_protocol_from;
  options.io_threads = OrDefault(s.io_threads, cores);
  // A consultation holds no worker while its audit event commits (the
  // server holds its response instead), so workers only compute: two per
  // core measured best (docs/benchmarks.md). Logins wait on a pool of their
  // own (RunServe).
  options.worker_threads = OrDefault(s.worker_threads, 2 * cores);
  if (s.metrics_port > 0) {
    options.metrics =
        http::MetricsListenerOptions{s.metrics_listen, static_cast<uint16_t>(s.metrics_port)};
  }
  return options;
}

std::string PublicUrl(const Config& config, uint16_t port) {
  std::string url = config.server.public_url;
  if (url.empty()) {
    url = (config.server.tls_certificate.empty() ? "http://localhost:" : "https://localhost:") +
          std::to_string(port);
  }
  while (url.ends_with('/')) url.pop_back();
  return url;
}

// Gauges of the parts that fill up under abuse, for the operators' alerts.
void RegisterMetrics(http::MetricsRegistry& metrics, const api::ApiV1& api,
                     const identity::PasswordHasherPool& hasher, const records::LiveSearch& search,
                     const audit::AuditLog& audit_log,
                     const witness::CheckpointPublisher* publisher,
                     const store::ClockWatch* clock_watch) {
  using Kind = http::MetricsRegistry::Kind;
  struct Gauge {
    const char* name;
    const char* help;
    std::function<double()> read;
  };
  for (Gauge& gauge : std::vector<Gauge>{
           {"vigie_password_hashes_queued", "Logins waiting for the Argon2id pool",
            [&] { return static_cast<double>(hasher.queued()); }},
           {"vigie_dpop_proofs_remembered", "DPoP proofs remembered against replay",
            [&] { return static_cast<double>(api.remembered_proofs()); }},
           {"vigie_dpop_keys_cached", "Client DPoP keys parsed and cached",
            [&] { return static_cast<double>(api.cached_keys()); }},
           {"vigie_search_index_bytes", "Memory held by the search index",
            [&] { return static_cast<double>(search.memory_bytes()); }},
           {"vigie_search_index_generation", "Records generation of the index",
            [&] { return static_cast<double>(search.generation()); }},
           {"vigie_audit_events", "Durable events in the audit log",
            [&] { return static_cast<double>(audit_log.stats().size); }},
           {"vigie_audit_commits", "Audit log transactions (one fsync each)",
            [&] { return static_cast<double>(audit_log.stats().commits); }},
           {"vigie_audit_failing",
            "1 while the audit log cannot be written (consultations refused)",
            [&] { return audit_log.stats().failing ? 1.0 : 0.0; }},
           {"vigie_audit_witnessed_size",
            "Largest tree size the witness countersigned (0 without a witness)",
            [=] {
              return publisher ? static_cast<double>(publisher->stats().witnessed_size) : 0.0;
            }},
           {"vigie_audit_witness_refusals",
            "Checkpoints the witness refused as inconsistent: investigate at once",
            [=] { return publisher ? static_cast<double>(publisher->stats().refusals) : 0.0; }},
           {"vigie_clock_offset_ms",
            "This node's clock minus the database server's, last checked (0 on SQLite)",
            [=] { return clock_watch ? static_cast<double>(clock_watch->offset().count()) : 0.0; }},
           {"vigie_clock_out_of_step", "1 while the API is refused for this node's clock",
            [=] { return clock_watch && !clock_watch->in_step() ? 1.0 : 0.0; }}}) {
    // The names are fixed and valid: a failure here is a programming error.
    if (!metrics.Register(gauge.name, gauge.help, Kind::kGauge, std::move(gauge.read))) {
      Log(LogLevel::kWarn, "metric_not_registered", {{"name", gauge.name}});
    }
  }
  if (!metrics.Register("vigie_store_conflicts_total",
                        "Write transactions PostgreSQL aborted as conflicting (then run again)",
                        Kind::kCounter,
                        [] { return static_cast<double>(store::TransactionConflictsSeen()); })) {
    Log(LogLevel::kWarn, "metric_not_registered", {{"name", "vigie_store_conflicts_total"}});
  }
}

// Security: detection turned off, whole or in part, is said at each start:
// what an operator switched off for a test must not go unnoticed in service.
void WarnOfDetectionOff(const Config::Detect& config) {
  if (!config.enabled) {
    Log(LogLevel::kWarn, "detection_off",
        {{"effect", "no rule watches consultations or acts on them (detect.enabled = false)"}});
    return;
  }
  auto options = detect::DetectOptions::From(config);
  if (!options) return;  // the portal refused to start already
  std::string off;
  for (size_t i = 0; i < detect::kRuleCount; ++i) {
    if (options->actions[i] != detect::Action::kOff) continue;
    if (!off.empty()) off += ", ";
    off += detect::RuleName(static_cast<detect::Rule>(i));
  }
  if (!off.empty()) Log(LogLevel::kWarn, "detection_rules_off", {{"rules", off}});
}

// The web portal, or none (the API alone) when it was not built: saying so
// is enough, the API's clients need no page.
std::optional<web::StaticSite> LoadWebPortal(const Config& config) {
  const std::filesystem::path root =
      config.web.root.empty() ? std::filesystem::path(VIGIE_DEFAULT_WEB_ROOT)
                              : config.Resolve(config.web.root);
  auto site = web::StaticSite::Load(root);
  if (!site) {
    Log(LogLevel::kWarn, "web_portal_not_served", {{"reason", site.error().message()}});
    return std::nullopt;
  }
  return std::move(*site);
}

}  // namespace

int RunServe(const std::filesystem::path& data_dir, const ServeOptions& serve) {
  // The installation's lease is held while serving: a move to PostgreSQL
  // waits for no server to be left on these files (installation_lease.h).
  // Taken by Open once the key file's owner is checked: a lock file made by
  // a wrong user would bar the right one from every command.
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  if (!installation->lease) {
    return ReportError(Error(ErrorCode::kUnavailable,
                             "cannot serve from " + data_dir.string() + ": it is not writable"));
  }
  Config& config = installation->config;
  if (serve.port.has_value()) config.server.port = *serve.port;

  // One node (SQLite): its memory of used DPoP proofs starts empty; the
  // proofs its previous process accepted must not pass again
  // (proof_watermark.h). Read first, so the wait overlaps the index load.
  const session::DpopPolicy dpop_policy;
  std::optional<session::ProofWatermark> watermark;
  if (config.store.url.starts_with("sqlite:")) {
    auto opened =
        session::ProofWatermark::Open(data_dir, SystemClock(), dpop_policy.max_future_seconds);
    if (!opened) return ReportError(opened.error().WithContext("DPoP proof watermark"));
    watermark.emplace(std::move(*opened));
    if (!watermark->wait_reason().empty()) {
      Log(LogLevel::kWarn, "dpop_proofs_refused_at_start",
          {{"until_iat", std::to_string(watermark->accept_from())},
           {"reason", std::string(watermark->wait_reason())}});
    }
  }

  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  ProgressLine progress("loading index");
  auto search = records::LiveSearch::Load(*repository, [&](int64_t done, int64_t total) {
    progress.Update(static_cast<uint64_t>(done), static_cast<uint64_t>(total), "persons");
  });
  progress.Finish();
  if (!search) return ReportError(search.error());

  auto common = identity::CommonPasswords::Load(std::filesystem::path(VIGIE_SHARE_DIR) /
                                                "common-passwords.txt");
  if (!common) return ReportError(common.error());
  identity::PasswordPolicy password_policy(std::move(*common));
  http::ServerOptions server_options = ServerOptionsFrom(config);
  // Security: activation and login wait on a thread while their hash runs or
  // queues: threads of their own, one per running or queued hash, so a login
  // flood never holds the workers consultations need (beyond the queue:
  // 429). Each waiting login is a thread: at most kMaxQueuedHashes wait.
  constexpr size_t kMaxQueuedHashes = 16;
  const auto hashing_threads = static_cast<size_t>(config.auth.hashing_threads);
  const size_t hashing_queue =
      std::min(static_cast<size_t>(config.auth.hashing_queue), kMaxQueuedHashes);
  identity::PasswordHasherPool hasher(hashing_threads, hashing_queue);
  for (std::string_view path : api::ApiV1::PasswordHashingPaths()) {
    server_options.waiting_paths.emplace_back(path);
  }
  server_options.waiting_workers = hashing_threads + hashing_queue;
  store::OpenOptions open_options;
  open_options.busy_timeout_ms = config.store.busy_timeout_ms;
  open_options.statement_timeout_ms = config.store.statement_timeout_ms;
  // Security: a suspension, a revocation or a containment is durable once
  // the officer is told, whatever the server or the URL says.
  open_options.durable_commits = true;
  // A login holds its connection while its hash runs or queues: one each
  // for the login pool too, so logins never take the workers' connections;
  // and one for the clock watch, whose check a busy pool must not hold off.
  store::ConnectionPool pool(DatabaseUrl(config), open_options,
                             server_options.worker_threads + server_options.waiting_workers + 3);
  SystemClock clock;
  // Security: the nodes judge times each other wrote (DPoP proofs, sessions):
  // checked before serving, then each minute while serving.
  constexpr std::chrono::seconds kClockTolerance(30);
  {
    auto db = pool.Borrow();
    if (!db) return ReportError(db.error());
    if (auto in_step = store::CheckClockAgainstDatabase(**db, clock, kClockTolerance); !in_step) {
      return ReportError(in_step.error());
    }
  }
  std::optional<store::ClockWatch> clock_watch;
  if (!config.store.url.starts_with("sqlite:")) {  // SQLite: one machine, one clock
    clock_watch.emplace(pool, clock, kClockTolerance);
    clock_watch->Start(std::chrono::minutes(1));
  }
  const auto clock_in_step = [watch = clock_watch ? &*clock_watch : nullptr] {
    return watch == nullptr || watch->in_step();
  };
  // Held while serving, and taken before the log is opened (a refused node
  // migrates and signs nothing): two nodes with one id would each skip the
  // other's events in detection (node_claim.h).
  auto node_claim = audit::NodeClaim::Take(installation->AuditDatabaseUrl(), config.audit.node_id);
  if (!node_claim) return ReportError(node_claim.error());
  auto audit_log = installation->OpenAuditLog(clock, /*remember_outages=*/true);
  if (!audit_log) return ReportError(audit_log.error());
  // Consultations never wait on the witness: it is told afterwards, each second.
  std::unique_ptr<witness::CheckpointPublisher> publisher;
  if (auto witness_options = installation->WitnessPublisherOptions();
      witness_options && !witness_options->witness_url.empty()) {
    auto started = witness::CheckpointPublisher::Start(*witness_options);
    if (!started) return ReportError(started.error().WithContext("witness publisher"));
    publisher = std::move(*started);
  }
  auto portal = app::Portal::Create({.config = &config,
                                     .keyring = &installation->keyring,
                                     .pool = &pool,
                                     .search = search->get(),
                                     .clock = &clock,
                                     .password_policy = &password_policy,
                                     .hasher = &hasher,
                                     .audit = audit_log->get()});
  if (!portal) return ReportError(portal.error());
  WarnOfDetectionOff(config.detect);
  // Imports and planted canaries reach this node without a restart: the
  // decoys are watched before the index that finds them is swapped in.
  (*search)->Follow({.database_url = DatabaseUrl(config),
                     .open = open_options,
                     .keyring = &installation->keyring,
                     .check_interval = std::chrono::milliseconds(config.search.reload_check_ms),
                     .on_records_changed = [portal = portal->get()](store::Connection& db) {
                       return portal->ReloadCanaries(db);
                     }});
  // Destroyed before the portal: no build may reach it once it is gone.
  const std::unique_ptr<records::LiveSearch, void (*)(records::LiveSearch*)> stop_following(
      search->get(), [](records::LiveSearch* live) { live->StopFollowing(); });

  // Events this node wrote but never judged (it stopped in between) are
  // judged before it serves; its mark is kept until after the server stops.
  auto catch_up =
      app::DetectionCatchUp::Start(**portal, pool, clock, {.node_id = config.audit.node_id});
  if (!catch_up) return ReportError(catch_up.error().WithContext("detection catch-up"));

  const std::optional<web::StaticSite> site = LoadWebPortal(config);

  // With port 0 the API learns its public URL (the DPoP htu) only once the
  // server has bound; until then requests get a 503.
  std::unique_ptr<api::ApiV1> api;
  std::atomic<api::ApiV1*> ready{nullptr};
  // /readyz: once the API is, and while the audit log can be written (and
  // this node's id is its own) - a balancer then sends nothing to a node
  // that would refuse consultations, or whose events detection would miss.
  server_options.readiness = [&ready, log = audit_log->get(), claim = &*node_claim, clock_in_step] {
    return ready.load(std::memory_order_acquire) != nullptr && !log->stats().failing &&
           claim->held() && clock_in_step();
  };
  // Security: a leaked sample's large body is read only from a security
  // officer's live session.
  server_options.upload_admission = [&ready](const http::Request& head) {
    api::ApiV1* handler = ready.load(std::memory_order_acquire);
    return handler != nullptr && handler->AdmitsUpload(head);
  };
  http::Server server(server_options, [&](const http::Request& request) {
    if (site && !request.Path().starts_with("/api/")) {
      if (auto page = site->Serve(request)) return std::move(*page);
    }
    // Starting, or its clock out of step (logged for the operator): the
    // same answer as /readyz's, which names no reason to strangers.
    api::ApiV1* handler = ready.load(std::memory_order_acquire);
    if (handler == nullptr || !clock_in_step()) {
      http::Response unavailable = http::Problem(
          503, "Service Unavailable", "this node cannot serve now; try again", request.request_id);
      unavailable.headers.emplace_back("Retry-After", "1");
      return unavailable;
    }
    return handler->Handle(request);
  });
  if (auto started = server.Start(); !started) return ReportError(started.error());
  api::ApiOptions api_options;
  api_options.dpop = dpop_policy;
  api_options.public_url = PublicUrl(config, server.port());
  // Without a relying party the API refuses passkeys; TOTP still works.
  if (auto relying_party = api::RelyingPartyFor(api_options.public_url, config.web.rp_id)) {
    api_options.relying_party = std::move(*relying_party);
  } else {
    Log(LogLevel::kWarn, "passkeys_unavailable", {{"reason", relying_party.error().message()}});
  }
  api_options.rp_name = config.web.rp_name;
  api_options.replay_capacity = static_cast<size_t>(config.session.dpop_proofs_remembered);
  const int failures_per_minute = config.auth.failed_credentials_per_minute;
  api_options.failed_credentials = {
      .burst = failures_per_minute,
      .refill_interval = std::chrono::milliseconds(60'000 / failures_per_minute)};
  const int session_failures_per_minute = config.auth.failed_sessions_per_minute;
  api_options.failed_sessions = {
      .burst = session_failures_per_minute,
      .refill_interval = std::chrono::milliseconds(60'000 / session_failures_per_minute)};
  // On PostgreSQL other nodes may serve the same portal: they share what
  // they remember of the proofs they accepted, and each address's bucket of
  // refused credentials (SQLite is one node's own).
  std::optional<session::SharedProofReplayGuard> shared_replay;
  std::optional<identity::SharedLoginThrottle> shared_failed_credentials;
  if (!config.store.url.starts_with("sqlite:")) {
    shared_replay.emplace(pool, api_options.dpop.max_age_seconds + api_options.dpop.max_future_seconds);
    api_options.shared_replay = &*shared_replay;
    shared_failed_credentials.emplace(pool, clock, api_options.failed_credentials, "credentials ");
    api_options.shared_failed_credentials = &*shared_failed_credentials;
  }
  if (watermark) api_options.accept_proofs_from = watermark->accept_from();
  api = std::make_unique<api::ApiV1>(**portal, api_options);
  if (watermark) {
    // Clients whose clocks are right then meet no refusal: only proofs
    // dated before (replays, clocks behind) are answered 503. After a clock
    // set back the refusals may last longer than anyone should wait to be
    // served: a minute at most.
    const int64_t serve_from =
        std::min(watermark->accept_from(), UnixSeconds(clock.Now()) + dpop_policy.max_age_seconds);
    std::this_thread::sleep_until(
        std::chrono::system_clock::time_point(std::chrono::seconds(serve_from)));
  }
  ready.store(api.get(), std::memory_order_release);
  std::jthread clock_set_back_watch;
  if (watermark) clock_set_back_watch = WatchForAClockSetBack(*watermark, *api, clock);
  RegisterMetrics(server.metrics(), *api, hasher, **search, **audit_log, publisher.get(),
                  clock_watch ? &*clock_watch : nullptr);
  server.StopOnSignals();
  std::printf("Vigie serving %s\n", api_options.public_url.c_str());
  if (site) std::printf("  web portal: %s/\n", api_options.public_url.c_str());
  if (auto metrics = server.metrics_port()) {
    std::printf("  metrics: http://%s:%u/metrics\n", config.server.metrics_listen.c_str(),
                static_cast<unsigned>(*metrics));
  }
  std::fflush(stdout);
  server.Wait();
  // Every request answered: the next start need not wait past these proofs.
  if (watermark) {
    clock_set_back_watch.request_stop();
    clock_set_back_watch.join();  // the watermark is one thread's
    if (auto recorded = watermark->RecordStop(api->latest_proof_accepted()); !recorded) {
      Log(LogLevel::kWarn, "dpop_proof_watermark_not_recorded",
          {{"error", recorded.error().message()}});
    }
  }
  return 0;
}

}  // namespace vigie::cli
