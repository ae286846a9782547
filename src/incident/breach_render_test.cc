#include "incident/breach_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "crypto/hash.h"

namespace vigie::incident {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

BreachReport HostileReport() {
  BreachReport report;
  report.scope.source_addresses = {"<script>alert(1)</script>"};
  report.generated_unix_micros = 1'764'000'000'000'000;
  report.log_size = 3;
  report.checkpoint = audit::Checkpoint{.tree_size = 3, .time_unix_micros = 1, .key_id = 2};
  ExposedSubject named;
  named.person_id = 7;
  named.summary_events = 1;
  named.first_unix_micros = named.last_unix_micros = 1'764'000'000'000'000;
  named.identity = SubjectIdentity{.surname = "=HYPERLINK(\"http://evil\",\"x\")",
                                   .given_names = {"+Jean", "@Pierre"},
                                   .birth_date = {1974, 3, 12}};
  ExposedSubject gone = named;
  gone.person_id = 8;
  gone.full_file_events = 1;
  gone.notice_ids = {20};
  gone.identity.reset();
  report.subjects = {named, gone};
  report.counts.subjects = 2;
  report.counts.summary_subjects = 2;
  report.counts.full_file_subjects = 1;
  report.counts.wanted_notices = 1;
  report.counts.records = 3;
  ActorActivity actor;
  actor.agent_id = 1;
  actor.service_number = "<img src=x onerror=alert(1)>";
  actor.session_id = 11;
  actor.source_addresses = {"\"><b>"};
  report.actors = {actor};
  CountedEvent event;
  event.sequence = 2;
  event.service_number = actor.service_number;
  event.purpose = "</script>";
  event.encoded = {1, 2, 3};
  event.leaf_hash = audit::MerkleLeafHash(event.encoded);
  event.proven = true;
  event.inclusion_proof = {audit::MerkleLeafHash(std::vector<uint8_t>{9})};
  report.events = {event};
  report.datasets = {{BreachDataset::kWantedPersons, BreachView::kFullFile, 1, 1}};
  report.subjects_looked_up = true;
  return report;
}

TEST(BreachRenderTest, CsvCellsCannotRunAsFormulas) {
  EXPECT_EQ(CsvCell("Moreau"), "Moreau");
  EXPECT_EQ(CsvCell("=1+2"), "'=1+2");
  EXPECT_EQ(CsvCell("+33"), "'+33");
  EXPECT_EQ(CsvCell("-2"), "'-2");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvCell("\tx"), "'\tx");
  EXPECT_EQ(CsvCell("Le Goff, dit \"Yann\""), "\"Le Goff, dit \"\"Yann\"\"\"");
  EXPECT_EQ(CsvCell("=a,b"), "\"'=a,b\"");
  EXPECT_EQ(CsvCell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvCell(""), "");
}

TEST(BreachRenderTest, SubjectsCsvNamesAndListsMissingPersonsById) {
  const std::string csv = RenderSubjectsCsv(HostileReport());
  EXPECT_THAT(csv, HasSubstr("person_id,surname,given_names,birth_date,in_records,summary_seen,"
                             "full_file_opened,named_by_investigation,"));
  EXPECT_THAT(csv, HasSubstr("\r\n7,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'+Jean @Pierre,"
                             "1974-03-12,yes,yes,no,no,0,0,"));
  EXPECT_THAT(csv, HasSubstr("\r\n8,,,,no,yes,yes,no,1,0,"));
  EXPECT_THAT(csv, Not(HasSubstr("\n=")));
  EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
}

TEST(BreachRenderTest, HtmlEscapesEverythingAndRunsNothing) {
  BreachNotice notice{.controller = "Ministère <b>",
                      .contact = "dpo@example.org\"><script>",
                      .consequences = "",
                      .measures = "<iframe>"};
  const std::string html = RenderBreachHtml(HostileReport(), notice);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<iframe")));
  EXPECT_THAT(html, Not(HasSubstr("\"><b>")));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("Ministère &lt;b&gt;"));
  // Art. 33(3) (a)-(d), printable, self-contained.
  EXPECT_THAT(html, HasSubstr("(a) Nature of the breach"));
  EXPECT_THAT(html, HasSubstr("(b) Contact point"));
  EXPECT_THAT(html, HasSubstr("(c) Likely consequences"));
  EXPECT_THAT(html, HasSubstr("(d) Measures taken or proposed"));
  EXPECT_THAT(html, HasSubstr("Wanted-person notices were disclosed"));
  EXPECT_THAT(html, HasSubstr("@media print"));
  EXPECT_THAT(html, HasSubstr("default-src 'none'"));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  // No subject's name in the report.
  EXPECT_THAT(html, Not(HasSubstr("HYPERLINK")));
  EXPECT_THAT(html, Not(HasSubstr("Jean")));
}

// A file opened by id that held no notice and no entry still disclosed the
// person's identity: the default consequences must not say nothing was.
TEST(BreachRenderTest, DefaultConsequencesNameEveryKindOfDisclosure) {
  BreachReport files_only;
  files_only.counts.subjects = files_only.counts.full_file_subjects = 1;
  const std::string html = RenderBreachHtml(files_only, BreachNotice{});
  EXPECT_THAT(html, Not(HasSubstr("No personal data was shown")));
  EXPECT_THAT(html, HasSubstr("The full identity"));

  BreachReport named_only;
  named_only.counts.subjects = named_only.counts.named_subjects = 2;
  named_only.subjects = {{.person_id = 1, .named_events = 1}, {.person_id = 2, .named_events = 2}};
  const std::string named_html = RenderBreachHtml(named_only, BreachNotice{});
  EXPECT_THAT(named_html,
              HasSubstr("The names and birth dates of 2 persons were given by investigation"));
  // The subjects' parts add up: 0 files, 0 summaries only, 2 named only.
  EXPECT_THAT(named_html, HasSubstr("0 seen in search results only, 2 only named"));
  EXPECT_THAT(RenderBreachHtml(BreachReport{}, BreachNotice{}),
              HasSubstr("No personal data was shown"));

  // Investigative searches showed record counts: offence data, said so.
  BreachReport counts_shown;
  counts_shown.counts.subjects = counts_shown.counts.summary_subjects = 3;
  counts_shown.datasets = {{BreachDataset::kCriminalRecords, BreachView::kSummary, 3, 0}};
  EXPECT_THAT(RenderBreachHtml(counts_shown, BreachNotice{}),
              HasSubstr("criminal-record entries, and how many, was shown for 3 persons"));
  counts_shown.datasets.clear();
  EXPECT_THAT(RenderBreachHtml(counts_shown, BreachNotice{}),
              Not(HasSubstr("and how many, was shown")));
}

TEST(BreachRenderTest, JsonHasEverythingToCheckAndNoNames) {
  const BreachReport report = HostileReport();
  const std::vector<uint8_t> key(32, 0xab);
  const std::string text = RenderBreachJson(report, key);
  boost::json::value value = boost::json::parse(text);
  const boost::json::object& json = value.as_object();
  EXPECT_EQ(json.at("format").as_string(), "vigie.breach-report.v1");
  EXPECT_EQ(json.at("counts").at("subjects").to_number<uint64_t>(), 2u);
  EXPECT_EQ(json.at("checkpoint").at("tree_size").to_number<uint64_t>(), 3u);
  EXPECT_EQ(json.at("checkpoint").at("public_key").as_string(), crypto::HexEncode(key));
  EXPECT_THAT(std::string(json.at("checkpoint").at("signed_text").as_string()), HasSubstr("3"));
  const auto& event = json.at("events").as_array().at(0).as_object();
  EXPECT_EQ(event.at("sequence").to_number<uint64_t>(), 2u);
  EXPECT_EQ(event.at("event").as_string(), "010203");
  EXPECT_EQ(event.at("leaf_hash").as_string(), crypto::HexEncode(report.events[0].leaf_hash));
  EXPECT_EQ(event.at("inclusion_proof").as_array().size(), 1u);
  const auto& gone = json.at("subjects").as_array().at(1).as_object();
  EXPECT_EQ(gone.at("person_id").as_int64(), 8);
  EXPECT_FALSE(gone.at("in_records").as_bool());
  // Not looked up (the API's JSON): unknown, not "no longer in the records".
  BreachReport unnamed = report;
  unnamed.subjects_looked_up = false;
  const boost::json::value unknown = boost::json::parse(RenderBreachJson(unnamed, key));
  EXPECT_TRUE(unknown.at("subjects").as_array().at(1).at("in_records").is_null());
  EXPECT_THAT(text, Not(HasSubstr("HYPERLINK")));
  EXPECT_TRUE(json.at("scope").at("since").is_null());
}

// A report of many events is handed on in bounded pieces that make up the
// same document, and the sink's first error stops the rendering.
TEST(BreachRenderTest, JsonInPiecesIsTheWholeDocumentAndStopsAtTheSinksError) {
  BreachReport report = HostileReport();
  CountedEvent event = report.events.front();
  event.encoded.assign(4000, 0x5a);  // 8 kB of hex each
  report.events.assign(600, event);  // ~4.8 MB in all
  const std::string whole = RenderBreachJson(report, {});
  std::string joined;
  size_t pieces = 0, largest = 0;
  auto joined_ok = RenderBreachJson(report, {}, [&](std::string_view piece) -> Result<void> {
    ++pieces;
    largest = std::max(largest, piece.size());
    joined += piece;
    return {};
  });
  ASSERT_TRUE(joined_ok.has_value());
  EXPECT_EQ(joined, whole);
  EXPECT_GE(pieces, 4u);
  EXPECT_LT(largest, kJsonPieceBytes + 64 * 1024);
  const boost::json::value parsed = boost::json::parse(joined);
  const boost::json::array& events = parsed.at("events").as_array();
  ASSERT_EQ(events.size(), 600u) << "no piece lost or repeated";
  std::string hex;
  for (int i = 0; i < 4000; ++i) hex += "5a";
  EXPECT_EQ(events.back().at("event").as_string(), hex);

  size_t calls = 0;
  auto stopped = RenderBreachJson(report, {}, [&](std::string_view) -> Result<void> {
    if (++calls == 2) return Fail(ErrorCode::kUnavailable, "disk full");
    return {};
  });
  ASSERT_FALSE(stopped.has_value());
  EXPECT_EQ(stopped.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(calls, 2u);
}

}  // namespace
}  // namespace vigie::incident
