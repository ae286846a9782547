// A request's head as the connection judges it before any handler runs.
#include "http/internal/request_head.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <string>
#include <vector>

namespace vigie::http::internal {
namespace {

namespace bhttp = boost::beast::http;

RequestHead Head(unsigned version, std::initializer_list<std::string_view> codings) {
  RequestHead head{bhttp::verb::post, "/api/v1/search", version};
  for (std::string_view coding : codings) head.insert(bhttp::field::transfer_encoding, coding);
  return head;
}

TEST(RequestHeadTest, OnlyContentLengthOrChunkedAloneFramesABody) {
  EXPECT_TRUE(FramedOnlyByUs(Head(11, {})));
  EXPECT_TRUE(FramedOnlyByUs(Head(11, {"chunked"})));
  EXPECT_TRUE(FramedOnlyByUs(Head(11, {" Chunked\t"})));
  // Security: what Beast would read as "no body", smuggling the rest.
  EXPECT_FALSE(FramedOnlyByUs(Head(11, {"gzip"})));
  EXPECT_FALSE(FramedOnlyByUs(Head(11, {"gzip, chunked"})));
  EXPECT_FALSE(FramedOnlyByUs(Head(11, {"identity"})));
  EXPECT_FALSE(FramedOnlyByUs(Head(11, {"chunked", "chunked"})));
  EXPECT_FALSE(FramedOnlyByUs(Head(10, {"chunked"}))) << "HTTP/1.0 has no transfer codings";
}

TEST(RequestHeadTest, OnlyAnHttp11ClientAskingFor100ContinueWaitsForIt) {
  auto head = [](unsigned version, std::vector<std::string> expects) {
    RequestHead made{bhttp::verb::post, "/", version};
    for (const auto& value : expects) made.insert(bhttp::field::expect, value);
    return made;
  };
  EXPECT_TRUE(WaitsForContinue(head(11, {"100-continue"})));
  EXPECT_TRUE(WaitsForContinue(head(11, {" 100-Continue "})));
  EXPECT_FALSE(WaitsForContinue(head(11, {})));
  EXPECT_FALSE(WaitsForContinue(head(11, {"something-else"})));
  EXPECT_FALSE(WaitsForContinue(head(11, {"100-continue", "100-continue"})));
  EXPECT_FALSE(WaitsForContinue(head(10, {"100-continue"}))) << "RFC 9110 §10.1.1";
}

TEST(RequestHeadTest, OnlyAnUploadPathMaySendMoreThanTheBodyLimit) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  options.max_upload_bytes = 5000;
  options.upload_paths = {"/api/v1/claims/check"};
  EXPECT_TRUE(WantsUploadLimit(options, "/api/v1/claims/check", 4000));
  EXPECT_TRUE(WantsUploadLimit(options, "/api/v1/claims/check?format=csv", std::nullopt))
      << "chunked: a length not known in advance";
  EXPECT_FALSE(WantsUploadLimit(options, "/api/v1/claims/check", 1000)) << "within the body limit";
  EXPECT_FALSE(WantsUploadLimit(options, "/api/v1/search", 4000));
  EXPECT_FALSE(WantsUploadLimit(options, "/api/v1/claims/check/", 4000)) << "exact paths only";
  options.max_upload_bytes = 1000;
  EXPECT_FALSE(WantsUploadLimit(options, "/api/v1/claims/check", 4000)) << "no larger allowance";
}

TEST(RequestHeadTest, HeadersAreCopiedAndHostFieldsCounted) {
  RequestHead head{bhttp::verb::get, "/", 11};
  head.insert(bhttp::field::host, "portal.example");
  head.insert("X-Custom", "value");
  Request request;
  EXPECT_EQ(TakeHeaders(head, request), 1u);
  EXPECT_EQ(request.host, "portal.example");
  ASSERT_EQ(request.headers.size(), 2u);
  EXPECT_EQ(request.headers[1].first, "X-Custom");
  EXPECT_EQ(request.headers[1].second, "value");

  head.insert(bhttp::field::host, "other.example");
  Request twice;
  EXPECT_EQ(TakeHeaders(head, twice), 2u) << "refused by the caller: two Host fields";
}

TEST(RequestHeadTest, AFailedReadIsAnsweredOnlyWhenSomeoneCanBeAnswered) {
  Request request;
  request.request_id = "r-1";
  auto too_large = ProblemForReadError(bhttp::error::header_limit, request);
  ASSERT_TRUE(too_large.has_value());
  EXPECT_EQ(too_large->status, 431);
  auto body = ProblemForReadError(bhttp::error::body_limit, request);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->status, 413);
  auto malformed = ProblemForReadError(bhttp::error::bad_method, request);
  ASSERT_TRUE(malformed.has_value());
  EXPECT_EQ(malformed->status, 400);
  EXPECT_FALSE(ProblemForReadError(bhttp::error::end_of_stream, request).has_value());
  EXPECT_FALSE(ProblemForReadError(boost::asio::error::operation_aborted, request).has_value());
  // Over the head limit before the request line ended: the target's fault.
  auto long_target =
      ProblemForReadError(bhttp::error::header_limit, request, {.request_line_read = false});
  ASSERT_TRUE(long_target.has_value());
  EXPECT_EQ(long_target->status, 414);
  // An admitted upload that found no place: to send again, not too large.
  auto no_place =
      ProblemForReadError(bhttp::error::body_limit, request, {.upload_place_taken = true});
  ASSERT_TRUE(no_place.has_value());
  EXPECT_EQ(no_place->status, 503);
}

}  // namespace
}  // namespace vigie::http::internal
