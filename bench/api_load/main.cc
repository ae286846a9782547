// api_load: the HTTP front door's load generator. Drives a Vigie server (or
// any HTTP server, in static mode) over many keep-alive connections, plain
// or TLS, signing a fresh DPoP proof for every authenticated request.
// Usage: api_load --mode MODE --url URL [options]; see --help.

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "bench/api_load/modes.h"

int main(int argc, char** argv) {
  using vigie::bench::ApiLoadOptions;
  ApiLoadOptions options;
  int64_t timeout_ms = options.response_timeout.count();
  int64_t backoff_ms = options.max_backoff.count();
  int64_t flood_backoff_ms = options.flood_backoff.count();

  CLI::App app{"Vigie's HTTP load generator (issue 3 benchmarks)", "api_load"};
  app.add_option("--mode", options.mode, "activate | search | static | login | login-flood | verify")
      ->required()
      ->check(CLI::IsMember({"activate", "search", "static", "login", "login-flood", "verify"}));
  app.add_option("--url", options.url,
                 "server: https://host:port or http://host:port (static mode: with the path)");
  app.add_option("--public-url", options.public_url,
                 "the server's public URL, prefix of each DPoP htu (default: origin of --url)");
  app.add_option("--connect", options.connect_address, "IP address to connect to (default: resolve)");
  app.add_option("--ca", options.ca_file, "CA/certificate file to verify TLS (default: no check)");
  app.add_option("--label", options.label, "a name for this run in the report");
  app.add_option("--connections", options.connections, "keep-alive connections")->capture_default_str();
  app.add_option("--threads", options.threads, "client event loops (0 = one per core)");
  app.add_option("--duration", options.duration_seconds, "measured seconds")->capture_default_str();
  app.add_option("--warmup", options.warmup_seconds, "seconds before measuring")->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "per-response timeout")->capture_default_str();
  app.add_option("--codes", options.codes_file, "activate: 'service_number<TAB>code' lines");
  app.add_option("--credentials", options.credentials_file,
                 "agents' credentials (written by activate, read and updated by search/login)");
  app.add_option("--persons", options.persons_file, "search: JSON Lines from `vigie generate`");
  app.add_option("--agents", options.agents, "search: agents logged in (connections share them)")
      ->capture_default_str();
  app.add_option("--queries", options.queries, "search: persons read for queries")
      ->capture_default_str();
  app.add_option("--purpose", options.purpose, "search: stated purpose")->capture_default_str();
  app.add_option("--case-reference", options.case_reference,
                 "search: case reference sent with each search (inquiry purposes need one)");
  app.add_option("--proofs", options.proofs,
                 "search: requests to pre-sign (0 = ES256 verify ceiling x run time)");
  app.add_option("--proof-lifetime", options.proof_lifetime_seconds,
                 "server's DPoP proof lifetime, seconds")
      ->capture_default_str();
  app.add_option("--verify-seconds", options.verify_seconds, "verify: seconds to measure")
      ->capture_default_str();
  app.add_option("--max-backoff-ms", backoff_ms, "login: longest wait after a 429")
      ->capture_default_str();
  app.add_option("--flood-connections", options.flood_connections,
                 "search: extra connections flooding the login with unknown agents meanwhile");
  app.add_option("--flood-backoff-ms", flood_backoff_ms,
                 "login-flood / --flood-connections: wait after a 429 (0 = none)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.response_timeout = std::chrono::milliseconds(timeout_ms);
  options.max_backoff = std::chrono::milliseconds(backoff_ms);
  options.flood_backoff = std::chrono::milliseconds(flood_backoff_ms);
  options.progress = ::isatty(STDERR_FILENO) == 1;
  if (options.mode != "verify" && options.url.empty()) {
    std::fprintf(stderr, "api_load: --url is required for --mode %s\n", options.mode.c_str());
    return 2;
  }
  if (options.mode == "activate") return vigie::bench::RunActivateMode(options);
  if (options.mode == "search") return vigie::bench::RunSearchMode(options);
  if (options.mode == "static") return vigie::bench::RunStaticMode(options);
  if (options.mode == "login") return vigie::bench::RunLoginMode(options);
  if (options.mode == "login-flood") return vigie::bench::RunLoginFloodMode(options);
  return vigie::bench::RunVerifyMode(options);
}
