#include "api/internal/content_type.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::api::internal {
namespace {

using ::vigie::testing::ErrorCodeIs;

Result<void> Check(std::vector<std::string> content_types) {
  http::Request request;
  request.method = "POST";
  request.body = "{}";
  for (std::string& value : content_types) request.headers.emplace_back("Content-Type", value);
  return CheckJsonContentType(request);
}

TEST(ContentTypeTest, AcceptsApplicationJsonWithParameters) {
  for (const char* value :
       {"application/json", "Application/JSON", " application/json ",
        "application/json;charset=utf-8", "application/json; charset=UTF-8",
        "application/json ;\tcharset=\"utf-8\"", "application/json; profile=x; charset=utf-8",
        "application/json;", "application/json;;x=y"}) {
    SCOPED_TRACE(value);
    EXPECT_OK(Check({value}));
  }
  http::Request lower;
  lower.body = "{}";
  lower.headers.emplace_back("content-type", "application/json");
  EXPECT_OK(CheckJsonContentType(lower));
}

TEST(ContentTypeTest, RefusesAnyOtherMediaType) {
  // The types a browser sends cross-site without a preflight come first.
  for (const char* value : {"text/plain",
                            "text/plain; charset=utf-8",
                            "application/x-www-form-urlencoded",
                            "multipart/form-data; boundary=x",
                            "",
                            "application",
                            "application/",
                            "/json",
                            "application/jsonx",
                            "application/json5",
                            "application/problem+json",
                            "application/merge-patch+json",
                            "text/json",
                            "application /json",
                            "application/ json",
                            "application/json, text/plain",
                            "application/json; charset",
                            "application/json; =x",
                            "application/json; charset=\"utf-8",
                            "application/json x"}) {
    auto checked = Check({value});
    ASSERT_THAT(checked, ErrorCodeIs(ErrorCode::kInvalidArgument)) << value;
    EXPECT_NE(checked.error().message().find("application/json"), std::string::npos) << value;
  }
}

TEST(ContentTypeTest, RefusesACharsetOtherThanUtf8) {
  for (const char* value :
       {"application/json; charset=iso-8859-1", "application/json;charset=utf-16",
        "application/json; charset=utf8", "application/json; charset=\"\"",
        "application/json; charset=utf-8; charset=latin1"}) {
    auto checked = Check({value});
    ASSERT_THAT(checked, ErrorCodeIs(ErrorCode::kInvalidArgument)) << value;
    EXPECT_NE(checked.error().message().find("utf-8"), std::string::npos) << value;
  }
}

TEST(ContentTypeTest, RefusesNoneOrTwoContentTypes) {
  EXPECT_THAT(Check({}), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Check({"application/json", "application/json"}),
              ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Check({"application/json", "text/plain"}), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace vigie::api::internal
