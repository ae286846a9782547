// The portal the administration commands (`vigie incident contain`, `agent
// suspend`, `alert ack`, ...) write through commits durably, whatever the
// database URL says: the test databases' URLs turn PostgreSQL's
// synchronous_commit off, as a DBA or a URL's options may.

#include "cli/admin_portal.h"

#include <gtest/gtest.h>

#include "tests/support/command.h"
#include "tests/support/installation.h"
#include "tests/support/temp_dir.h"

namespace vigie {
namespace {

TEST(AdminPortalTest, CommitsDurablyWhateverTheUrlSays) {
  testing::TempDir dir;
  testing::TestInstallation installation;
  const std::filesystem::path data = dir / "data";
  auto initialised = testing::RunCommand(std::string(VIGIE_BINARY) + " --data-dir " +
                                             data.string() + " init" + installation.InitArguments(),
                                         dir.path());
  ASSERT_EQ(initialised.exit_code, 0) << initialised.err;

  auto admin = cli::AdminPortal::Open(data);
  ASSERT_TRUE(admin.has_value()) << admin.error().message();
  auto db = (*admin)->pool.Borrow();
  ASSERT_TRUE(db.has_value()) << db.error().message();
  const bool postgres = (*db)->dialect() == store::Dialect::kPostgres;
  auto read = (*db)->Prepare(postgres ? "SELECT current_setting('synchronous_commit')"
                                      : "PRAGMA synchronous");
  ASSERT_TRUE(read.has_value()) << read.error().message();
  ASSERT_TRUE(*(*read)->Step());
  EXPECT_EQ(postgres ? (*read)->ColumnText(0) : std::to_string((*read)->ColumnInt(0)),
            postgres ? "on" : "2");  // SQLite: FULL
  EXPECT_TRUE((*read)->Run().has_value());
}

}  // namespace
}  // namespace vigie
