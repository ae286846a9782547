#include "http/problem.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vigie::http {
namespace {

boost::json::object Parse(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  EXPECT_FALSE(ec) << body;
  return v.is_object() ? v.as_object() : boost::json::object();
}

TEST(HttpStatusForTest, MapsEveryCodeAsStyleSays) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

TEST(ProblemTest, IsRfc9457JsonWithTheRequestId) {
  Response r = Problem(404, "Not Found", "No \"such\" agent.", "0123abcd");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto o = Parse(r.body);
  EXPECT_EQ(o["type"], "about:blank");
  EXPECT_EQ(o["title"], "Not Found");
  EXPECT_EQ(o["status"], 404);
  EXPECT_EQ(o["detail"], "No \"such\" agent.");
  EXPECT_EQ(o["request_id"], "0123abcd");
}

TEST(ProblemTest, EmptyDetailIsOmitted) {
  auto o = Parse(Problem(400, "Bad Request", "", "id").body);
  EXPECT_FALSE(o.contains("detail"));
}

TEST(ProblemTest, ControlAndNonAsciiBytesStayValidJson) {
  auto o = Parse(Problem(400, "Bad\n\x01", "caf\xe9 \xff", "id").body);
  EXPECT_EQ(o["title"], "Bad\n\x01");
}

TEST(ProblemForTest, NeverShowsTheInternalMessage) {
  Error error(ErrorCode::kConflict, "UNIQUE constraint failed: agents.service_number");
  Response r = ProblemFor(error, "rid");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body.find("UNIQUE"), std::string::npos);
  auto o = Parse(r.body);
  EXPECT_EQ(o["code"], "Conflict");
  EXPECT_EQ(o["title"], "Conflict");
  EXPECT_EQ(o["request_id"], "rid");
}

TEST(ProblemForTest, UsesThePublicDetailForClientErrors) {
  auto o =
      Parse(ProblemFor(Error(ErrorCode::kInvalidArgument, "internal"), "rid", "purpose is required")
                .body);
  EXPECT_EQ(o["detail"], "purpose is required");
  EXPECT_EQ(o["status"], 400);
}

TEST(ProblemForTest, ServerErrorsAllLookTheSame) {
  Response a = ProblemFor(Error(ErrorCode::kDataLoss, "audit chain broken at 42"), "r",
                          "audit chain broken");
  Response b = ProblemFor(Error(ErrorCode::kInternal, "sqlite: disk I/O error"), "r");
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.body.find("audit"), std::string::npos);
  EXPECT_EQ(Parse(a.body)["code"], "Internal");
}

TEST(StatusPhraseTest, KnowsTheStatusesWeSend) {
  EXPECT_EQ(StatusPhrase(413), "Content Too Large");
  EXPECT_EQ(StatusPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(StatusPhrase(599), "Error");
}

}  // namespace
}  // namespace vigie::http
