#pragma once
// Vigie's configuration: a TOML file whose every key has a default.
// Loading validates types and ranges and refuses unknown keys, so a typo in a
// security setting is an error, not a silently ignored line.
// Thread-safety: Config is a plain value; copy it freely.

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/error.h"

namespace vigie {

enum class LogFormat { kHuman, kJson };

struct Config {
  // Directory holding the config, key file and database; relative paths below
  // are resolved against it.
  std::filesystem::path data_dir;

  struct Store {
    // "sqlite:<path>" (embedded default).
    std::string url = "sqlite:vigie.db";
    int busy_timeout_ms = 5000;
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
  } search;

  // `path` resolved against data_dir unless absolute.
  std::filesystem::path Resolve(const std::string& path) const;
};

// Parses TOML text. Errors (InvalidArgument) name the key and the problem.
Result<Config> ParseConfig(std::string_view toml_text, const std::filesystem::path& data_dir);

// Reads and parses <file>; data_dir is the file's directory.
Result<Config> LoadConfig(const std::filesystem::path& file);

// The default configuration as commented TOML, written by `vigie init`.
std::string DefaultConfigToml();

}  // namespace vigie
