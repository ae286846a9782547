#include "core/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

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

  Result<void> Read(std::string_view key, int& out, int min, int max) {
    const toml::node* node = Take(key);
    if (node == nullptr) return {};
    if (!node->is_integer()) {
      return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be an integer");
    }
    int64_t v = *node->value<int64_t>();
    if (v < min || v > max) {
      return Fail(ErrorCode::kInvalidArgument, Name(key) + " must be between " +
                                                   std::to_string(min) + " and " +
                                                   std::to_string(max));
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

Result<void> ReadStore(const toml::table* t, Config::Store& s) {
  TableReader r(t, "store");
  RETURN_IF_ERROR(r.Read("url", s.url));
  RETURN_IF_ERROR(r.Read("busy_timeout_ms", s.busy_timeout_ms, 0, 600000));
  RETURN_IF_ERROR(r.Read("import_cache_mib", s.import_cache_mib, 16, 1048576));
  if (!s.url.starts_with("sqlite:") || s.url.size() == 7) {
    return Fail(ErrorCode::kInvalidArgument, "'store.url' must look like sqlite:<path>");
  }
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
  return r.RefuseUnknown();
}

}  // namespace

std::filesystem::path Config::Resolve(const std::string& path) const {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : data_dir / p;
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
  RETURN_IF_ERROR(root.RefuseUnknown());
  return config;
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read config file " + file.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto config = ParseConfig(buffer.str(), std::filesystem::absolute(file).parent_path());
  if (!config) return Fail(config.error().WithContext(file.string()));
  return config;
}

std::string DefaultConfigToml() {
  return R"(# Vigie configuration. Every key is optional; shown values are the defaults.
# Relative paths are resolved against the directory holding this file.

[store]
url = "sqlite:vigie.db"       # embedded SQLite database
busy_timeout_ms = 5000
import_cache_mib = 12288      # page cache a bulk import may fill; ~400 bytes a person

[crypto]
key_file = "vigie.key"        # master key; must be mode 0600, keep it apart from backups

[log]
format = "human"              # "human" or "json" (JSON lines)
level = "info"                # trace, debug, info, warn, error, off

[search]
max_results = 20              # at most 20 summaries per search
)";
}

}  // namespace vigie
