#include <cstdio>

#include "cli/commands.h"
#include "cli/installation.h"

namespace vigie::cli {

int RunInit(const std::filesystem::path& data_dir) {
  auto installation = Installation::Create(data_dir);
  if (!installation) return ReportError(installation.error());
  std::printf("Created a Vigie installation in %s\n", data_dir.c_str());
  std::printf("  config:   %s\n", (data_dir / "vigie.toml").c_str());
  std::printf("  key file: %s (mode 0600 — keep it apart from database backups)\n",
              installation->config.Resolve(installation->config.crypto.key_file).c_str());
  return 0;
}

}  // namespace vigie::cli
