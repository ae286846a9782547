#include "core/durable_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace vigie {
namespace {

std::string Contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// `write()` with files limited to `bytes` (as by a full disk), SIGXFSZ
// ignored so that a write past the limit fails instead of killing the test.
template <typename Write>
auto WithFileSizeLimit(rlim_t bytes, const Write& write) {
  rlimit saved{};
  EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto* previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = bytes;
  EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  auto result = write();
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous);
  return result;
}

TEST(AppendDurablyTest, AppendsWholeRecordsAndCreatesTheFile) {
  testing::TempDir dir;
  const auto file = dir.path() / "records.jsonl";
  ASSERT_TRUE(AppendDurably(file, "{\"n\":1}\n").has_value());
  ASSERT_TRUE(AppendDurably(file, "{\"n\":2}\n").has_value());
  EXPECT_EQ(Contents(file), "{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// A write cut short (here by a file size limit, as by a full disk) must not
// leave a fragment the next record would glue onto.
TEST(AppendDurablyTest, AShortWriteLeavesNothingBehind) {
  testing::TempDir dir;
  const auto file = dir.path() / "records.jsonl";
  const std::string first = "{\"tree_size\":1}\n";
  ASSERT_TRUE(AppendDurably(file, first).has_value());

  // Room for 5 bytes of the next record.
  const auto refused = WithFileSizeLimit(
      first.size() + 5, [&] { return AppendDurably(file, "{\"tree_size\":2}\n"); });

  EXPECT_FALSE(refused.has_value());
  EXPECT_EQ(Contents(file), first);
  ASSERT_TRUE(AppendDurably(file, "{\"tree_size\":3}\n").has_value());
  EXPECT_EQ(Contents(file), first + "{\"tree_size\":3}\n");
}

// A FIFO in the file's place would hang the writer on open (no reader) or
// take the record away (a reader): refused at once either way.
TEST(AppendDurablyTest, RefusesAFifoWithoutWaiting) {
  testing::TempDir dir;
  const auto fifo = dir.path() / "witness.jsonl";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(AppendDurably(fifo, "{\"n\":1}\n").has_value()) << "no reader";
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto refused = AppendDurably(fifo, "{\"n\":1}\n");
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message().find("not a file"), std::string::npos)
      << refused.error().message();
  char byte = 0;
  EXPECT_EQ(::read(reader, &byte, 1), 0) << "nothing reached the reader";
  ::close(reader);
}

// A file other processes append to: a line under way (its writer holding
// the lock) is waited for, never cut or glued onto.
TEST(AppendDurablyTest, SharedWritersAndTheMenderTakeTurns) {
  testing::TempDir dir;
  const auto file = dir / "shared.jsonl";
  ASSERT_TRUE(AppendDurably(file, "one\n").has_value());
  const int holder = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(holder, 0);
  ASSERT_EQ(::flock(holder, LOCK_EX), 0);
  ASSERT_EQ(::write(holder, "tw", 2), 2);  // another writer, mid-line
  std::atomic<int> done = 0;
  std::thread appender([&] {
    EXPECT_TRUE(AppendDurably(file, "three\n", 0600, Writers::kShared).has_value());
    ++done;
  });
  std::thread mender([&] {
    auto mended = MendLastLine(file, [](std::string_view line) { return line == "two"; });
    EXPECT_TRUE(mended.has_value());
    ++done;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(done.load(), 0) << "neither waited for the line under way";
  ASSERT_EQ(::write(holder, "o\n", 2), 2);
  ::close(holder);  // lets go of the lock
  appender.join();
  mender.join();
  const std::string lines = Contents(file);
  EXPECT_TRUE(lines == "one\ntwo\nthree\n") << lines;
}

TEST(MendLastLineTest, CompletesAWholeLineCutsAPartialOneLeavesTheRest) {
  testing::TempDir dir;
  const auto file = dir / "lines";
  auto whole = [](std::string_view line) { return line.starts_with('{') && line.ends_with('}'); };
  EXPECT_EQ(MendLastLine(file, whole).value(), LastLine::kWhole) << "absent";
  std::ofstream(file) << "{a}\n";
  EXPECT_EQ(MendLastLine(file, whole).value(), LastLine::kWhole);
  std::ofstream(file, std::ios::app) << "{b}";
  EXPECT_EQ(MendLastLine(file, whole).value(), LastLine::kCompleted);
  EXPECT_EQ(Contents(file), "{a}\n{b}\n");
  std::ofstream(file, std::ios::app) << "{c";
  EXPECT_EQ(MendLastLine(file, whole).value(), LastLine::kCut);
  EXPECT_EQ(Contents(file), "{a}\n{b}\n");
  std::ofstream(file, std::ios::trunc) << std::string(70 * 1024, 'x');
  EXPECT_EQ(MendLastLine(file, whole).error().code(), ErrorCode::kDataLoss);
}

// A link put in the place of one of Vigie's files (the witness file, in a
// directory a log shipper may write to): neither appended to nor cut.
TEST(MendLastLineTest, NeitherMendsNorAppendsThroughALink) {
  testing::TempDir dir;
  const auto target = dir / "vigie.toml";
  std::ofstream(target) << "[store]\nurl = \"x\"";  // no final newline: a mend would cut it
  const auto file = dir / "witness.jsonl";
  std::filesystem::create_symlink(target, file);
  EXPECT_FALSE(MendLastLine(file, WrittenWholeJson).has_value());
  EXPECT_FALSE(AppendDurably(file, "{\"n\":1}\n").has_value());
  EXPECT_EQ(Contents(target), "[store]\nurl = \"x\"");
}

TEST(WrittenWholeJsonTest, AWholeLineIsJsonAndACutOneIsNot) {
  EXPECT_TRUE(WrittenWholeJson("{\"tree_size\":3,\"root\":\"zz\"}"));  // damaged, but whole
  EXPECT_FALSE(WrittenWholeJson("{\"tree_size\":3,\"ro"));
  EXPECT_FALSE(WrittenWholeJson(""));
}

TEST(WriteNewFileDurablyTest, WritesANewFileAndNeverReplacesOne) {
  testing::TempDir dir;
  const auto file = dir.path() / "report.json";
  ASSERT_TRUE(WriteNewFileDurably(file, "{}\n").has_value());
  EXPECT_EQ(Contents(file), "{}\n");
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_FALSE(WriteNewFileDurably(file, "other").has_value());
  EXPECT_EQ(Contents(file), "{}\n") << "an existing file is left as it was";
  std::filesystem::create_symlink(file, dir.path() / "link");
  EXPECT_FALSE(WriteNewFileDurably(dir.path() / "link", "other").has_value());
  EXPECT_EQ(Contents(file), "{}\n") << "never through a link";
}

// A report cut short (here by a file size limit, as by a full disk) leaves
// no truncated file a reader would take for the whole.
TEST(WriteNewFileDurablyTest, AShortWriteLeavesNoFile) {
  testing::TempDir dir;
  const auto file = dir.path() / "subjects.csv";
  const auto refused =
      WithFileSizeLimit(10, [&] { return WriteNewFileDurably(file, std::string(100, 'x')); });
  EXPECT_FALSE(refused.has_value());
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(NewDurableFileTest, PartsMakeTheFileOnlyOnceCommitted) {
  testing::TempDir dir;
  const auto path = dir.path() / "report.json";
  {
    auto file = NewDurableFile::Create(path);
    ASSERT_TRUE(file.has_value()) << file.error().ToString();
    ASSERT_TRUE(file->Append("{\"a\":").has_value());
    ASSERT_TRUE(file->Append("1}\n").has_value());
    EXPECT_FALSE(std::filesystem::exists(path)) << "nothing there before Commit";
    ASSERT_TRUE(file->Commit().has_value());
    EXPECT_TRUE(file->committed());
    EXPECT_FALSE(NewDurableFile::Create(path).has_value()) << "never over an existing file";
    EXPECT_EQ(file->Append("more").error().code(), ErrorCode::kInternal);
    EXPECT_EQ(file->Commit().error().code(), ErrorCode::kInternal);
  }
  EXPECT_EQ(Contents(path), "{\"a\":1}\n") << "a committed file stays";
  {
    auto file = NewDurableFile::Create(dir.path() / "abandoned.json");
    ASSERT_TRUE(file.has_value());
    ASSERT_TRUE(file->Append("half of it").has_value());
    NewDurableFile moved = std::move(*file);  // the moved-from one owns nothing
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "abandoned.json"))
      << "a file never committed is removed";
}

// Two writers of one name: the second to commit fails and leaves the first's.
TEST(NewDurableFileTest, TheSecondToCommitANameFailsAndChangesNothing) {
  testing::TempDir dir;
  const auto path = dir.path() / "report.json";
  auto first = NewDurableFile::Create(path);
  auto second = NewDurableFile::Create(path);
  ASSERT_TRUE(first.has_value() && second.has_value());
  ASSERT_TRUE(first->Append("first").has_value());
  ASSERT_TRUE(second->Append("second").has_value());
  ASSERT_TRUE(first->Commit().has_value());
  const auto refused = second->Commit();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(second->committed());
  EXPECT_EQ(Contents(path), "first");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1)
      << "nothing else left in the directory";
}

TEST(NewDurableFileTest, AShortPartRemovesTheFile) {
  testing::TempDir dir;
  const auto path = dir.path() / "report.json";
  auto file = NewDurableFile::Create(path);
  ASSERT_TRUE(file.has_value());
  ASSERT_TRUE(file->Append("0123456789").has_value());
  const auto refused = WithFileSizeLimit(15, [&] { return file->Append(std::string(100, 'x')); });
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(file->Commit().has_value());
  EXPECT_FALSE(file->committed());
}

// All or none: the third name taken meanwhile, the first two are removed
// again and the third's owner keeps it.
TEST(NewDurableFileTest, CommitAllRemovesTheCommittedOnesWhenALaterOneFails) {
  testing::TempDir dir;
  std::vector<NewDurableFile> files;
  for (const char* name : {"report.json", "subjects.csv", "report.html"}) {
    auto file = NewDurableFile::Create(dir.path() / name);
    ASSERT_TRUE(file.has_value()) << file.error().ToString();
    ASSERT_TRUE(file->Append(name).has_value());
    files.push_back(std::move(*file));
  }
  ASSERT_TRUE(WriteNewFileDurably(dir.path() / "report.html", "someone else's").has_value());
  const auto refused = CommitAll(files);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message().find("report.html"), std::string::npos)
      << refused.error().message();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "report.json"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "subjects.csv"));
  EXPECT_EQ(Contents(dir.path() / "report.html"), "someone else's");

  std::vector<NewDurableFile> again;
  for (const char* name : {"a.json", "b.csv"}) {
    auto file = NewDurableFile::Create(dir.path() / name);
    ASSERT_TRUE(file.has_value());
    ASSERT_TRUE(file->Append(name).has_value());
    again.push_back(std::move(*file));
  }
  ASSERT_TRUE(CommitAll(again).has_value());
  EXPECT_EQ(Contents(dir.path() / "a.json"), "a.json");
  EXPECT_EQ(Contents(dir.path() / "b.csv"), "b.csv");
}

}  // namespace
}  // namespace vigie
