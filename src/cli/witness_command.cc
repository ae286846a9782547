// `vigie witness init|serve`: the countersigning witness (another
// authority's service). `vigie audit public-keys` and `vigie audit witness`:
// Vigie's side of it.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/installation.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "http/server.h"
#include "witness/witness.h"
#include "witness/witness_routes.h"

namespace vigie::cli {

int RunAuditPublicKeys(const std::filesystem::path& data_dir) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  // Every signing key, old, current and staged: the witness must know the
  // one a rotation will sign with before it does, and hold retired ones to
  // the size they stopped at.
  for (const crypto::DataKey& key : installation->keyring.data_keys()) {
    if (key.purpose != crypto::kPurposeAuditSigning) continue;
    const witness::LogKey log_key{
        .key_id = key.id,
        .public_key = crypto::Ed25519KeyPair::FromSeed(key.bytes()).public_key(),
        .retired_after = key.retired_after};
    std::printf("%s\n", witness::LogKeyLine(log_key).c_str());
  }
  return 0;
}

int RunAuditWitness(const std::filesystem::path& data_dir) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto options = installation->WitnessPublisherOptions();
  if (!options || options->witness_url.empty()) {
    return ReportError(Error(ErrorCode::kInvalidArgument,
                             "no witness configured: set [audit] witness_url and "
                             "witness_public_key in vigie.toml"));
  }
  auto db = store::Open(options->audit_url, {.read_only = true});
  if (!db) return ReportError(db.error().WithContext("audit log"));
  audit::SubtreeCache cache;
  auto held = witness::CheckpointPublisher::PublishOnce(**db, *options, cache);
  if (!held) return ReportError(held.error());
  if (!*held) {
    std::printf("no checkpoint yet: nothing for the witness to countersign\n");
    return 0;
  }
  std::printf("the witness countersigned tree size %llu (root %s)\n",
              static_cast<unsigned long long>((*held)->checkpoint.tree_size),
              crypto::HexEncode((*held)->checkpoint.root).c_str());
  return 0;
}

int RunWitnessInit(const WitnessInitOptions& options) {
  std::string text;
  if (options.log_keys == "-") {
    std::ostringstream in;
    in << std::cin.rdbuf();
    if (std::ferror(stdin) != 0) {
      return ReportError(Error(ErrorCode::kUnavailable, "error reading standard input"));
    }
    text = in.str();
  } else {
    std::ifstream in(options.log_keys);
    if (!in) {
      return ReportError(Error(ErrorCode::kNotFound, "cannot read " + options.log_keys.string()));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  auto keys = witness::ParseLogKeys(text);
  if (!keys) return ReportError(keys.error());
  auto public_key = witness::Witness::Init(options.dir, *keys);
  if (!public_key) return ReportError(public_key.error());
  const std::string hex = crypto::HexEncode(*public_key);
  std::printf(
      "witness created in %s\n"
      "its public key: %s\n\n"
      "Give Vigie's operators these lines for [audit] in vigie.toml:\n"
      "  witness_url = \"https://<this host>:<port>\"\n"
      "  witness_public_key = \"%s\"\n",
      options.dir.string().c_str(), hex.c_str(), hex.c_str());
  return 0;
}

int RunWitnessServe(const WitnessServeOptions& options) {
  // One without the other is a mistake, not a wish for plain HTTP.
  if (options.tls_certificate.empty() != options.tls_key.empty()) {
    return ReportError(Error(ErrorCode::kInvalidArgument,
                             "--tls-certificate and --tls-key go together: give both or neither"));
  }
  InitLogging(LogFormat::kJson, "info");
  SystemClock clock;
  auto witness = witness::Witness::Open(options.dir, clock);
  if (!witness) return ReportError(witness.error());
  http::ServerOptions server_options;
  server_options.listen_address = options.listen;
  server_options.port = static_cast<uint16_t>(options.port);
  if (!options.tls_certificate.empty()) {
    server_options.tls = http::TlsFiles{options.tls_certificate.string(), options.tls_key.string()};
  }
  server_options.max_body_bytes = witness::kMaxSubmissionBytes;
  server_options.worker_threads = 2;  // one log, one submission at a time
  server_options.io_threads = 1;
  http::Server server(server_options, witness::WitnessHandler(**witness));
  if (auto started = server.Start(); !started) return ReportError(started.error());
  server.StopOnSignals();
  auto latest = (*witness)->Latest();
  std::printf("Vigie witness serving %s://%s:%u (key %s, holding tree size %llu)\n",
              options.tls_certificate.empty() ? "http" : "https", options.listen.c_str(),
              static_cast<unsigned>(server.port()),
              crypto::HexEncode((*witness)->public_key()).c_str(),
              static_cast<unsigned long long>(latest ? latest->checkpoint.tree_size : 0));
  std::fflush(stdout);
  server.Wait();
  return 0;
}

}  // namespace vigie::cli
