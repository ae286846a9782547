#include "core/regular_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/matchers.h"
#include "tests/support/temp_dir.h"

namespace vigie {
namespace {

using vigie::testing::ErrorCodeIs;

// The file itself opens and reads as lines; what is not a regular file at
// the name is refused by kind, a FIFO at once rather than after a writer.
TEST(RegularFileTest, OpensOnlyTheFileAtTheName) {
  vigie::testing::TempDir dir;
  std::ofstream(dir / "file.jsonl") << "one\ntwo\n";
  auto fd = OpenRegularFile(dir / "file.jsonl", O_RDONLY);
  ASSERT_OK(fd);
  DescriptorStream in(*fd);
  std::string first;
  std::string second;
  ASSERT_TRUE(std::getline(in, first) && std::getline(in, second));
  EXPECT_EQ(first, "one");
  EXPECT_EQ(second, "two");

  EXPECT_THAT(OpenRegularFile(dir / "absent", O_RDONLY), ErrorCodeIs(ErrorCode::kNotFound));
  std::filesystem::create_symlink(dir / "file.jsonl", dir / "link");
  EXPECT_THAT(OpenRegularFile(dir / "link", O_RDONLY), ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::filesystem::create_symlink(dir / "absent", dir / "dangling");
  EXPECT_THAT(OpenRegularFile(dir / "dangling", O_RDONLY),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_THAT(OpenRegularFile(dir / "fifo", O_RDONLY), ErrorCodeIs(ErrorCode::kInvalidArgument));
  std::filesystem::create_directory(dir / "directory");
  EXPECT_THAT(OpenRegularFile(dir / "directory", O_RDONLY),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(OpenRegularFile(dir / "directory", O_RDWR), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

// Opened for reading and writing, the descriptor blocks as usual: the
// O_NONBLOCK used to pass a FIFO is not left on it.
TEST(RegularFileTest, TheDescriptorIsLeftBlocking) {
  vigie::testing::TempDir dir;
  std::ofstream(dir / "file").close();
  auto fd = OpenRegularFile(dir / "file", O_RDWR);
  ASSERT_OK(fd);
  const int flags = ::fcntl(*fd, F_GETFL);
  EXPECT_EQ(flags & O_NONBLOCK, 0);
  EXPECT_EQ(flags & O_ACCMODE, O_RDWR);
  ::close(*fd);
}

// A descriptor the stream cannot take reads as an error, never as an empty
// file (the witness would start as a new one, with no countersignature).
TEST(RegularFileTest, AStreamThatCouldNotTakeItsDescriptorIsBad) {
  DescriptorStream unusable(-1);
  EXPECT_TRUE(unusable.bad());
}

}  // namespace
}  // namespace vigie
