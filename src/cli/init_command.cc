#include <cstdio>

#include "cli/commands.h"
#include "cli/installation.h"
#include "crypto/self_signed_certificate.h"
#include "session/proof_watermark.h"

namespace vigie::cli {

int RunInit(const std::filesystem::path& data_dir, const DatabaseUrls& databases) {
  auto installation = Installation::Create(data_dir, databases);
  if (!installation) return ReportError(installation.error());
  // Never served: its first start has no proof of a predecessor to refuse.
  if (auto recorded = session::ProofWatermark::RecordInitialised(data_dir); !recorded) {
    // Made, but its first start would be refused: say so, and the way out.
    return ReportError(recorded.error().WithContext(
        "the installation was created but cannot be served; remove " + data_dir.string() +
        " (it holds nothing yet) and, on PostgreSQL, the tables init made, then run `vigie init` "
        "again"));
  }
  std::printf("Created a Vigie installation in %s\n", data_dir.c_str());
  std::printf("  config:   %s\n", (data_dir / "vigie.toml").c_str());
  std::printf("  key file: %s (mode 0600 — keep it apart from database backups)\n",
              installation->config.Resolve(installation->config.crypto.key_file).c_str());
  // A self-signed certificate so `vigie serve` speaks TLS from the start; a
  // deployment replaces it with one from its own authority.
  const Config& config = installation->config;
  std::filesystem::path cert = config.Resolve(config.server.tls_certificate);
  std::filesystem::path key = config.Resolve(config.server.tls_key);
  std::error_code ec;
  std::filesystem::create_directories(cert.parent_path(), ec);
  std::filesystem::create_directories(key.parent_path(), ec);
  auto written = crypto::WriteSelfSignedCertificate(cert, key,
                                                    crypto::DefaultDemoCertificateNames(), 365);
  if (!written) {
    // The installation itself is made and usable: say what is missing.
    return ReportError(written.error().WithContext(
        "TLS certificate (the installation was created; put a certificate and key at " +
        cert.string() + " and " + key.string() + ")"));
  }
  std::printf("  TLS:      %s (self-signed for localhost, 365 days; replace for production)\n",
              cert.c_str());
  return 0;
}

}  // namespace vigie::cli
