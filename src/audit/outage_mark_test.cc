#include "audit/outage_mark.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace vigie::audit {
namespace {

std::string Contents(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(OutageMarkTest, IsAbsentUntilWrittenAndGoneOnceRemoved) {
  testing::TempDir dir;
  const auto path = dir / "audit-outage.mark";
  auto none = ReadOutageMark(path);
  ASSERT_TRUE(none.has_value()) << none.error().message();
  EXPECT_FALSE(none->has_value());

  const OutageMark mark{
      .failing_since_unix_micros = 1'764'000'000'123'456, .refused = 7, .late = 2};
  ASSERT_TRUE(WriteOutageMark(path, mark).has_value());
  auto read = ReadOutageMark(path);
  ASSERT_TRUE(read.has_value() && read->has_value());
  EXPECT_EQ(**read, mark);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  ASSERT_TRUE(RemoveOutageMark(path).has_value());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(RemoveOutageMark(path).has_value()) << "no mark is no error";
}

// Rewritten in place at one length: a smaller count leaves no digit of the
// larger one behind, and an update needs no new disk block.
TEST(OutageMarkTest, IsRewrittenInPlaceAtOneLength) {
  testing::TempDir dir;
  const auto path = dir / "mark";
  const uint64_t most = std::numeric_limits<uint64_t>::max();
  ASSERT_TRUE(WriteOutageMark(path, {.failing_since_unix_micros = 5, .refused = most}).has_value());
  const auto length = std::filesystem::file_size(path);
  ASSERT_TRUE(WriteOutageMark(path, {.failing_since_unix_micros = 5, .refused = 3}).has_value());
  EXPECT_EQ(std::filesystem::file_size(path), length);
  auto read = ReadOutageMark(path);
  ASSERT_TRUE(read.has_value() && read->has_value());
  EXPECT_EQ((*read)->refused, 3u);
  EXPECT_TRUE(Contents(path).starts_with("failing_since_us=")) << "readable by an operator";
}

// A mark left by a version that did not count late events: an upgrade in
// the middle of an outage still records it.
TEST(OutageMarkTest, AMarkWithoutLateEventsIsRead) {
  testing::TempDir dir;
  const auto path = dir / "mark";
  std::ofstream(path)
      << "failing_since_us=00000001764000000123 refused_events=00000000000000000009\n";
  auto read = ReadOutageMark(path);
  ASSERT_TRUE(read.has_value() && read->has_value()) << (read ? "none" : read.error().message());
  EXPECT_EQ(**read, (OutageMark{.failing_since_unix_micros = 1764000000123, .refused = 9}));
}

TEST(OutageMarkTest, AnythingElseInTheFileIsDataLoss) {
  testing::TempDir dir;
  const auto path = dir / "mark";
  ASSERT_TRUE(WriteOutageMark(path, {.failing_since_unix_micros = 5, .refused = 3}).has_value());
  const std::string good = Contents(path);
  std::string cut = good.substr(0, good.size() - 2) + "\n";
  std::string letter = good;
  letter[good.find("refused_events=") + 20] = 'x';
  std::string late_letter = good;
  late_letter[good.find("late_events=") + 15] = 'x';
  std::string late_cut = good.substr(0, good.find(" late_events=") + 5) + "\n";
  std::string negative = good;
  negative[std::string_view("failing_since_us=").size()] = '-';
  for (const std::string& bad : {std::string(), cut, letter, late_letter, late_cut, negative,
                                 good + good, good.substr(0, good.size() - 1) + " "}) {
    std::ofstream(path, std::ios::trunc) << bad;
    auto read = ReadOutageMark(path);
    ASSERT_FALSE(read.has_value()) << bad;
    EXPECT_EQ(read.error().code(), ErrorCode::kDataLoss) << bad;
  }
  EXPECT_FALSE(WriteOutageMark(path, {.failing_since_unix_micros = -1}).has_value());
}

TEST(OutageMarkTest, NeverFollowsALinkNorBlocksOnAFifo) {
  testing::TempDir dir;
  const auto target = dir / "elsewhere";
  std::ofstream(target) << "keep";
  std::filesystem::create_symlink(target, dir / "mark");
  EXPECT_FALSE(WriteOutageMark(dir / "mark", {.failing_since_unix_micros = 5}).has_value());
  EXPECT_FALSE(ReadOutageMark(dir / "mark").has_value());
  EXPECT_EQ(Contents(target), "keep");
  // Nor blocks on a FIFO someone put there.
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_FALSE(WriteOutageMark(dir / "fifo", {.failing_since_unix_micros = 5}).has_value());
  EXPECT_FALSE(ReadOutageMark(dir / "fifo").has_value());
}

}  // namespace
}  // namespace vigie::audit
