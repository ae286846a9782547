#include "core/log.h"

#include <gtest/gtest.h>

#include "core/utf8.h"

namespace vigie {
namespace {

TEST(LogTest, JsonLineEscapesEverything) {
  std::string line = FormatLogLine(LogFormat::kJson, LogLevel::kWarn, "import.line_refused",
                                   {{"line", 12}, {"why", "bad \"quote\"\n\x01"}});
  EXPECT_NE(line.find(R"("level":"warn")"), std::string::npos);
  EXPECT_NE(line.find(R"("event":"import.line_refused")"), std::string::npos);
  EXPECT_NE(line.find(R"("line":"12")"), std::string::npos);
  EXPECT_NE(line.find(R"("why":"bad \"quote\"\n\u0001")"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

// Values that would mislead a reader of the log: a line of their own, a
// terminal's control sequence, a right-to-left override, bytes not UTF-8.
std::string LineOfMisleadingValues(LogFormat format) {
  return FormatLogLine(format, LogLevel::kInfo, "start",
                       {{"a", "abc\r\nFAKE"},
                        {"b", "\x1b[2J"},
                        {"c", "caf\xc3\xa9"},
                        {"d",
                         "\xc2\x9b"
                         "31m"},
                        {"e",
                         "\xe2\x80\xae"
                         "gnp.exe"},
                        {"f", "del\x7f"},
                        {"g", "bad\xff\xfe\"x"},
                        {"h", "\xe2\x80\xa8\\"}});
}

// A JSON line stays UTF-8 (a collector refuses it otherwise) and shows as
// stored: letters pass, what misleads on display is escaped, and each byte
// that is not UTF-8 becomes a replacement character.
TEST(LogTest, JsonLineIsUtf8AndEscapesWhatMisleads) {
  const std::string line = LineOfMisleadingValues(LogFormat::kJson);
  EXPECT_NE(line.find(R"("a":"abc\r\nFAKE")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("b":"\u001b[2J")"), std::string::npos) << line;
  EXPECT_NE(line.find("\"c\":\"caf\xc3\xa9\""), std::string::npos) << line;
  EXPECT_NE(line.find(R"("d":"\u009b31m")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("e":"\u202egnp.exe")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("f":"del\u007f")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("g":"bad\ufffd\ufffd\"x")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("h":"\u2028\\")"), std::string::npos) << line;
  EXPECT_TRUE(IsWellFormedUtf8(line));
  EXPECT_EQ(line.find("\xe2\x80\xae"), std::string::npos);
}

TEST(LogTest, HumanLineQuotesValuesWithSpaces) {
  std::string line =
      FormatLogLine(LogFormat::kHuman, LogLevel::kInfo, "start", {{"a", "x y"}, {"b", "z"}});
  EXPECT_NE(line.find(R"(info start a="x y" b=z)"), std::string::npos);
}

// No value starts a line of its own or sends a terminal a control sequence.
TEST(LogTest, HumanLineQuotesValuesWithControls) {
  const std::string line = LineOfMisleadingValues(LogFormat::kHuman);
  EXPECT_EQ(line.find_first_of("\r\n\x1b\x7f"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(a="abc??FAKE")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(b="?[2J")"), std::string::npos) << line;
  EXPECT_NE(line.find("c=\"caf\xc3\xa9\""), std::string::npos) << line;  // letters stay
  EXPECT_NE(line.find(R"(d="?31m")"), std::string::npos) << line;        // C1 CSI
  EXPECT_NE(line.find(R"(e="?gnp.exe")"), std::string::npos) << line;    // right-to-left override
  EXPECT_NE(line.find(R"(f="del?")"), std::string::npos) << line;
}

}  // namespace
}  // namespace vigie
