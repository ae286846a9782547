#include "audit/event_export.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "audit/audit_event_test_util.h"

namespace vigie::audit {
namespace {

using testing::FullAuditEvent;

TEST(EventExportTest, JsonLinesCarryTheEventAndParse) {
  AuditEvent e = FullAuditEvent();
  std::string line = ExportEvent(e, ExportFormat::kJsonLines);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  boost::json::object json = boost::json::parse(line).as_object();
  EXPECT_EQ(json["sequence"].to_number<uint64_t>(), e.sequence);
  EXPECT_EQ(json["type"].as_string(), "file_opening");
  EXPECT_EQ(json["time"].as_string(), "2025-11-24T16:00:00.123456Z");
  EXPECT_EQ(json["person_ids"].as_array().size(), e.person_ids.size());
  EXPECT_EQ(json["outcome"].as_string(), "refused");
  EXPECT_EQ(json["subject"].as_string(), "GN-100200");
}

TEST(EventExportTest, SyslogIsRfc5424WithEscapedStructuredData) {
  AuditEvent e = FullAuditEvent();
  e.purpose = "a\"b]c\\d";
  std::string line = ExportEvent(e, ExportFormat::kSyslog);
  // Facility 13 (log audit) x 8 + severity 4 (warning: a refusal).
  EXPECT_EQ(line.rfind("<108>1 2025-11-24T16:00:00.123456Z vigie-node-2 vigie - file_opening "
                       "[vigie@32473 seq=\"123456789\"",
                       0),
            0u)
      << line;
  EXPECT_NE(line.find("purpose=\"a\\\"b\\]c\\\\d\""), std::string::npos) << line;
  EXPECT_NE(line.find("persons=\"1,127,128,16384,9000000000\""), std::string::npos) << line;
  e.outcome = AuditOutcome::kOk;
  e.refusal_code.clear();
  EXPECT_EQ(ExportEvent(e, ExportFormat::kSyslog).rfind("<110>1 ", 0), 0u);
}

TEST(EventExportTest, CefEscapesHeaderAndExtension) {
  AuditEvent e = FullAuditEvent();
  e.user_agent = "x=y\nz\\";
  std::string line = ExportEvent(e, ExportFormat::kCef);
  EXPECT_EQ(line.rfind("CEF:0|Vigie|Vigie|1|33|file_opening|6|rt=1764000000123 ", 0), 0u) << line;
  // The line break is made safe before escaping, as at recording.
  EXPECT_NE(line.find("requestClientApplication=x\\=y?z\\\\ "), std::string::npos) << line;
  EXPECT_NE(line.find("outcome=failure reason=PermissionDenied"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

// What was shown, every kind of it, in each format: a SIEM reading any one
// of them sees the same notices and record entries.
TEST(EventExportTest, EveryFormatNamesTheNoticesAndEntriesShown) {
  AuditEvent e = FullAuditEvent();
  e.notice_ids = {7, 70};
  e.entry_ids = {9, 900};
  boost::json::object json =
      boost::json::parse(ExportEvent(e, ExportFormat::kJsonLines)).as_object();
  EXPECT_EQ(json["notice_ids"].as_array().size(), 2u);
  EXPECT_EQ(json["entry_ids"].as_array().size(), 2u);
  const std::string syslog = ExportEvent(e, ExportFormat::kSyslog);
  EXPECT_NE(syslog.find("notices=\"7,70\""), std::string::npos) << syslog;
  EXPECT_NE(syslog.find("entries=\"9,900\""), std::string::npos) << syslog;
  const std::string cef = ExportEvent(e, ExportFormat::kCef);
  EXPECT_NE(cef.find("cs6Label=noticeIds cs6=7,70"), std::string::npos) << cef;
  EXPECT_NE(cef.find("flexString1Label=entryIds flexString1=9,900"), std::string::npos) << cef;
}

// Free text is made safe when recorded; an event that escaped that (an older
// build, another node) still cannot forge a SIEM record or break its JSON.
TEST(EventExportTest, NoFieldBreaksARecordInTwoOrCarriesBytesThatAreNotUtf8) {
  AuditEvent e = FullAuditEvent();
  e.purpose = "p\n<110>1 2025-11-24T16:00:00Z forged vigie - login [x] forged";
  e.user_agent = "ua\r\nCEF:0|forged|";
  e.subject = "bad \xff\xfe bytes \xe2\x80\xae";
  for (ExportFormat format :
       {ExportFormat::kJsonLines, ExportFormat::kSyslog, ExportFormat::kCef}) {
    const std::string line = ExportEvent(e, format);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
    EXPECT_EQ(line.find("\xff"), std::string::npos) << line;
    EXPECT_EQ(line.find("\xe2\x80\xae"), std::string::npos) << line;
  }
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(ExportEvent(e, ExportFormat::kJsonLines), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(json.as_object()["subject"].as_string(),
            "bad ?? bytes ???");  // not UTF-8: byte by byte
}

TEST(EventExportTest, ReadsTheTimesInvestigatorsGive) {
  constexpr int64_t kDay = 1'764'374'400'000'000;  // 2025-11-29T00:00:00Z
  EXPECT_EQ(ParseUtcMicros("2025-11-29", false), kDay);
  EXPECT_EQ(ParseUtcMicros("2025-11-29", true), kDay + 86'400'000'000 - 1);
  EXPECT_EQ(ParseUtcMicros("2025-11-29T08:00:00Z", false), kDay + 8 * 3'600'000'000);
  // An inclusive end takes in the whole second: events at 08:00:00.5 too.
  EXPECT_EQ(ParseUtcMicros("2025-11-29T08:00:00Z", true), kDay + 8 * 3'600'000'000 + 999'999);
  EXPECT_TRUE(ParseUtcMicros("2024-02-29", false).has_value());  // a leap year's
  for (std::string_view bad :
       {"yesterday", "2025-11-29T08:00:00", "2025-11-29 08:00:00Z", "", "2025-11-29Tx",
        // No such day or time: refused, not moved to the next one.
        "2026-11-31", "2026-02-29", "2026-02-30T00:00:00Z", "2026-13-01", "2026-00-10",
        "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:60Z",
        // Spaces, signs and short fields.
        " 2026-12-01", "2026-12-01 ", "+026-12-01", "2026-1-01", "2026-12-1"}) {
    auto parsed = ParseUtcMicros(bad, false);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(EventExportTest, WritesTimesAsRfc3339) {
  EXPECT_EQ(Iso8601Micros(1'764'397'259'217'946), "2025-11-29T06:20:59.217946Z");
  EXPECT_EQ(Iso8601Micros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(Iso8601Micros(-1), "1969-12-31T23:59:59.999999Z");
  AuditEvent e = FullAuditEvent();
  e.time_unix_micros = -1;  // a forged row's: the CEF time agrees with the text's
  EXPECT_NE(ExportEvent(e, ExportFormat::kCef).find("|rt=-1 "), std::string::npos);
}

TEST(EventExportTest, FormatsByName) {
  EXPECT_EQ(ExportFormatFromName("cef"), ExportFormat::kCef);
  EXPECT_EQ(ExportFormatFromName("syslog"), ExportFormat::kSyslog);
  EXPECT_EQ(ExportFormatFromName("jsonl"), ExportFormat::kJsonLines);
  EXPECT_FALSE(ExportFormatFromName("xml").has_value());
}

}  // namespace
}  // namespace vigie::audit
