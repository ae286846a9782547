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
)",
                            "/d");
  ASSERT_OK(config);
  EXPECT_EQ(config->store.url, "sqlite:/var/lib/vigie/v.db");
  EXPECT_EQ(config->store.busy_timeout_ms, 100);
  EXPECT_EQ(config->log.format, LogFormat::kJson);
  EXPECT_EQ(config->search.max_results, 5);
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
    ::testing::Values(BadConfig{"[store\nurl=1", "not valid TOML at line 1"},
                      BadConfig{"colour = 1", "unknown key 'colour'"},
                      BadConfig{"[store]\nulr = \"x\"", "unknown key 'store.ulr'"},
                      BadConfig{"[store]\nurl = 5", "'store.url' must be a string"},
                      BadConfig{"[store]\nurl = \"mysql://x\"", "sqlite:<path>"},
                      BadConfig{"[store]\nbusy_timeout_ms = -1", "between 0 and"},
                      BadConfig{"[store]\nbusy_timeout_ms = 1.5", "must be an integer"},
                      BadConfig{"store = 3", "'store' must be a table"},
                      BadConfig{"[log]\nformat = \"xml\"", "'log.format'"},
                      BadConfig{"[log]\nlevel = \"loud\"", "'log.level'"},
                      BadConfig{"[search]\nmax_results = 500", "between 1 and 20"},
                      BadConfig{"[crypto]\nkey_file = \"\"", "must not be empty"}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

TEST(ConfigTest, LoadConfigReportsFileAndResolvesDataDir) {
  vigie::testing::TempDir dir;
  EXPECT_THAT(LoadConfig(dir / "missing.toml"), ErrorCodeIs(ErrorCode::kNotFound));
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
