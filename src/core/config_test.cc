#include "core/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie {
namespace {

using ::vigie::testing::ErrorCodeIs;

TEST(ConfigTest, EmptyFileGivesDefaults) {
  auto config = ParseConfig("", "/data");
  ASSERT_OK(config);
  EXPECT_EQ(config->store.url, "sqlite:vigie.db");
  EXPECT_EQ(config->search.max_results, 20);
  EXPECT_EQ(config->log.format, LogFormat::kHuman);
  EXPECT_EQ(config->Resolve("vigie.key"), "/data/vigie.key");
  EXPECT_EQ(config->Resolve("/etc/k"), "/etc/k");
}

TEST(ConfigTest, DefaultTomlParsesToDefaults) {
  auto config = ParseConfig(DefaultConfigToml(), "/d");
  ASSERT_OK(config);
  EXPECT_EQ(config->crypto.key_file, "vigie.key");
  EXPECT_EQ(config->log.level, "info");
  // The written defaults are the built-in ones for every section.
  Config built_in;
  EXPECT_EQ(config->server.port, built_in.server.port);
  EXPECT_EQ(config->server.tls_certificate, built_in.server.tls_certificate);
  EXPECT_EQ(config->server.max_body_bytes, built_in.server.max_body_bytes);
  EXPECT_EQ(config->server.max_upload_bytes, built_in.server.max_upload_bytes);
  EXPECT_EQ(built_in.server.max_upload_bytes, 8 << 20);
  EXPECT_EQ(config->auth.argon2_memory_kib, built_in.auth.argon2_memory_kib);
  EXPECT_EQ(config->auth.lockout_failures, built_in.auth.lockout_failures);
  EXPECT_EQ(config->session.idle_timeout_minutes, built_in.session.idle_timeout_minutes);
  EXPECT_EQ(config->session.step_up_files, built_in.session.step_up_files);
  EXPECT_EQ(config->quota.files_per_day, built_in.quota.files_per_day);
  EXPECT_EQ(config->audit.url, built_in.audit.url);
  EXPECT_EQ(config->server.proxy_protocol_from, built_in.server.proxy_protocol_from);
  EXPECT_EQ(config->server.max_connections_per_address,
            built_in.server.max_connections_per_address);
  EXPECT_EQ(config->server.write_timeout_ms, built_in.server.write_timeout_ms);
  EXPECT_EQ(config->server.drain_timeout_ms, built_in.server.drain_timeout_ms);
  EXPECT_EQ(config->server.max_concurrent_uploads, built_in.server.max_concurrent_uploads);
  EXPECT_EQ(config->server.max_uploads_per_address, built_in.server.max_uploads_per_address);
  EXPECT_EQ(config->audit.witness_file, built_in.audit.witness_file);
  EXPECT_EQ(config->audit.max_wait_ms, built_in.audit.max_wait_ms);
  EXPECT_EQ(config->audit.checkpoint_every_events, built_in.audit.checkpoint_every_events);
}

TEST(ConfigTest, PlainHttpOnLoopbackIsAllowed) {
  auto config = ParseConfig(
      "[server]\nlisten = \"127.0.0.1\"\ntls_certificate = \"\"\ntls_key = \"\"\n", "/d");
  ASSERT_OK(config);
  EXPECT_TRUE(config->server.tls_certificate.empty());
}

TEST(ConfigTest, ReadsValues) {
  auto config = ParseConfig(R"(
[store]
url = "sqlite:/var/lib/vigie/v.db"
busy_timeout_ms = 100
[log]
format = "json"
level = "warn"
[search]
max_results = 5
reload_check_ms = 0
[server]
max_upload_bytes = 1048576
proxy_protocol_from = ["10.10.0.0/24", "10.10.1.5"]
max_connections_per_address = 2000
write_timeout_ms = 20000
drain_timeout_ms = 0
max_concurrent_uploads = 8
max_uploads_per_address = 2
)",
                            "/d");
  ASSERT_OK(config);
  EXPECT_EQ(config->server.max_upload_bytes, 1 << 20);
  EXPECT_EQ(config->server.max_connections_per_address, 2000);
  EXPECT_EQ(config->server.write_timeout_ms, 20000);
  EXPECT_EQ(config->server.drain_timeout_ms, 0);
  EXPECT_EQ(config->server.max_concurrent_uploads, 8);
  EXPECT_EQ(config->server.max_uploads_per_address, 2);
  EXPECT_EQ(config->server.proxy_protocol_from,
            (std::vector<std::string>{"10.10.0.0/24", "10.10.1.5"}));
  EXPECT_EQ(config->store.url, "sqlite:/var/lib/vigie/v.db");
  EXPECT_EQ(config->store.busy_timeout_ms, 100);
  EXPECT_EQ(config->log.format, LogFormat::kJson);
  EXPECT_EQ(config->search.max_results, 5);
  EXPECT_EQ(config->search.reload_check_ms, 0);
}

TEST(ConfigTest, AcceptsPostgresqlAndResolvesOnlySqlitePaths) {
  auto config = ParseConfig(R"(
[store]
url = "postgresql://vigie@db.example/vigie?sslmode=verify-full"
[audit]
url = "sqlite:logs/audit.db"
)",
                            "/d");
  ASSERT_OK(config);
  EXPECT_EQ(config->ResolveDatabaseUrl(config->store.url),
            "postgresql://vigie@db.example/vigie?sslmode=verify-full");
  EXPECT_EQ(config->ResolveDatabaseUrl(config->audit.url), "sqlite:/d/logs/audit.db");
  EXPECT_EQ(config->ResolveDatabaseUrl("sqlite:/abs.db"), "sqlite:/abs.db");
}

struct BadConfig {
  const char* toml;
  const char* expected_fragment;
};

class BadConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigTest, IsRefusedWithAClearMessage) {
  auto config = ParseConfig(GetParam().toml, "/d");
  ASSERT_THAT(config, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(config.error().message().find(GetParam().expected_fragment), std::string::npos)
      << config.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, BadConfigTest,
    ::testing::Values(
        BadConfig{"[store\nurl=1", "not valid TOML at line 1"},
        BadConfig{"colour = 1", "unknown key 'colour'"},
        BadConfig{"[store]\nulr = \"x\"", "unknown key 'store.ulr'"},
        BadConfig{"[store]\nurl = 5", "'store.url' must be a string"},
        BadConfig{"[store]\nurl = \"mysql://x\"", "sqlite:<path> or postgresql://"},
        BadConfig{"[audit]\nurl = \"sqlite:\"", "'audit.url'"},
        BadConfig{"[store]\nurl = \"sqlite:v.db\"\n[audit]\nurl = \"sqlite:/d/v.db\"",
                  "a schema, of its own"},
        BadConfig{"[store]\nurl = \"sqlite:v.db\"\n[audit]\nurl = \"sqlite:./logs/../v.db\"",
                  "a schema, of its own"},
        BadConfig{"[store]\nurl = \"postgresql://h/v\"\n[audit]\nurl = \"postgresql://h/v\"",
                  "a schema, of its own"},
        BadConfig{"[store]\nbusy_timeout_ms = -1", "between 1 and"},
        // 0 would mean "give up at once" on SQLite, "wait forever" on PostgreSQL.
        BadConfig{"[store]\nbusy_timeout_ms = 0", "between 1 and"},
        BadConfig{"[store]\nbusy_timeout_ms = 1.5", "must be an integer"},
        BadConfig{"store = 3", "'store' must be a table"},
        BadConfig{"[log]\nformat = \"xml\"", "'log.format'"},
        BadConfig{"[log]\nlevel = \"loud\"", "'log.level'"},
        BadConfig{"[search]\nmax_results = 500", "between 1 and 20"},
        BadConfig{"[search]\nreload_check_ms = -1", "between 0 and 3600000"},
        BadConfig{"[crypto]\nkey_file = \"\"", "must not be empty"},
        BadConfig{"[server]\nlisten = \"0.0.0.0\"\ntls_certificate = \"\"\n"
                  "tls_key = \"\"",
                  "plain HTTP"},
        BadConfig{"[server]\ntls_key = \"\"", "go together"},
        BadConfig{"[server]\nmetrics_listen = \"10.0.0.1\"", "loopback"},
        BadConfig{"[server]\nport = 70000", "between 0 and 65535"},
        BadConfig{"[server]\nmax_connections_per_address = 0", "between 1"},
        BadConfig{"[server]\nmax_uploads_per_address = 0", "between 1"},
        BadConfig{"[server]\nwrite_timeout_ms = 5", "between 100"},
        BadConfig{"[server]\ndrain_timeout_ms = 60000", "between 0 and 20000"},
        BadConfig{"[server]\nmax_upload_bytes = 100", "'server.max_upload_bytes'"},
        BadConfig{"[server]\nmax_upload_bytes = 134217728", "between 1024"},
        BadConfig{"[server]\npublic_url = \"ftp://x\"", "http(s) URL"},
        // A query or fragment would swallow each request's path in DPoP's htu.
        BadConfig{"[server]\npublic_url = \"https://x/?\"", "http(s) URL"},
        BadConfig{"[server]\npublic_url = \"https://x/#\"", "http(s) URL"},
        BadConfig{"[server]\npublic_url = \"https://u@x\"", "http(s) URL"},
        BadConfig{"[server]\npublic_url = \"https://\"", "http(s) URL"},
        BadConfig{"[server]\npublic_url = \"https://x y\"", "http(s) URL"},
        BadConfig{"[server]\nproxy_protocol_from = \"10.0.0.1\"", "must be an array"},
        BadConfig{"[server]\nproxy_protocol_from = [1]", "array of strings"},
        BadConfig{"[auth]\nargon2_memory_kib = 8", "between 8192"},
        BadConfig{"[auth]\nargon2_memory_kib = 8192\nargon2_passes = 2", "OWASP's minimum"},
        BadConfig{"[auth]\nlockout_failures = 0", "between 1 and 100"},
        BadConfig{"[auth]\nfailed_credentials_per_minute = 0", "between 1 and 100000"},
        BadConfig{"[auth]\nfailed_sessions_per_minute = 0", "between 1 and 100000"},
        BadConfig{"[session]\nabsolute_lifetime_hours = 48", "between 1 and 24"},
        BadConfig{"[quota]\nsearches_per_hour = 10\nsearches_per_day = 5", "daily quota"},
        BadConfig{"[session]\nidle = 5", "unknown key 'session.idle'"},
        BadConfig{"[audit]\nmax_wait_ms = 0", "between 10 and"},
        BadConfig{"[audit]\nnode_id = \"\"", "'audit.node_id'"},
        BadConfig{"[audit]\nwitness = \"w\"", "unknown key 'audit.witness'"},
        BadConfig{"[audit]\nwitness_url = \"https://w\"", "'audit.witness_public_key'"},
        BadConfig{"[audit]\nwitness_url = \"ftp://w\"", "'audit.witness_url'"},
        BadConfig{"[audit]\ncheckpoint_syslog = 1", "must be true or false"},
        BadConfig{"[audit]\nwitness_public_key = \"ABC\"", "'audit.witness_public_key'"},
        BadConfig{"[audit]\nwitness_public_key = "
                  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
                  "cosignature_file = \"\"",
                  "'audit.cosignature_file' is needed"},
        BadConfig{"[web]\nrp_id = \"Vigie.Example\"", "'web.rp_id'"},
        BadConfig{"[web]\nrp_id = \"a/b\"", "'web.rp_id'"},
        BadConfig{"[web]\nrp_name = \"\"", "'web.rp_name'"},
        BadConfig{"[web]\nroot = 3", "must be a string"},
        BadConfig{"[web]\nportal = \"x\"", "portal"},
        BadConfig{"[detect]\npersons_per_hour_floor = 50\npersons_per_hour_ceiling = 40",
                  "at least persons_per_hour_floor"},
        // Beyond what detection's windows hold, a rule would never fire.
        BadConfig{"[detect]\nquery_rate_per_minute = 100000", "between 1 and 50000"},
        BadConfig{"[detect]\npersons_per_hour_floor = 100000\npersons_per_hour_ceiling = 100000",
                  "between 1 and 50000"}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

TEST(ConfigTest, LoadConfigReportsFileAndResolvesDataDir) {
  vigie::testing::TempDir dir;
  EXPECT_THAT(LoadConfig(dir / "missing.toml"), ErrorCodeIs(ErrorCode::kNotFound));
  // A directory opens, and reads as nothing: every key at its default.
  std::filesystem::create_directory(dir / "vigie.toml");
  EXPECT_THAT(LoadConfig(dir / "vigie.toml"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::ofstream(dir / "bad.toml") << "[search]\nmax_results = 0\n";
  auto bad = LoadConfig(dir / "bad.toml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("bad.toml"), std::string::npos);
  std::ofstream(dir / "good.toml") << DefaultConfigToml();
  auto good = LoadConfig(dir / "good.toml");
  ASSERT_OK(good);
  EXPECT_EQ(good->Resolve("vigie.key"), dir.path() / "vigie.key");
}

}  // namespace
}  // namespace vigie
