#include "api/json_body.h"

#include <gtest/gtest.h>

#include "tests/support/matchers.h"

namespace vigie::api {
namespace {

using ::vigie::testing::ErrorCodeIs;

Error ParseError(std::string_view body) {
  auto parsed = JsonBody::Parse(body, {"name", "count", "tags"});
  EXPECT_FALSE(parsed.has_value()) << body;
  return parsed ? Error(ErrorCode::kInternal, "parsed") : parsed.error();
}

TEST(JsonBodyTest, ReadsKnownFields) {
  auto body =
      JsonBody::Parse(R"({"name":"Érik","count":3,"tags":["a","b"]})", {"name", "count", "tags"});
  ASSERT_OK(body);
  EXPECT_EQ(*body->RequiredString("name", 10), "Érik");
  EXPECT_EQ(*body->RequiredInt("count", 0, 5), 3);
  EXPECT_EQ(body->OptionalStringList("tags", 4, 8)->value().size(), 2u);
  EXPECT_EQ(*body->OptionalString("missing", 10), std::nullopt);
}

TEST(JsonBodyTest, RefusesMalformedBodies) {
  EXPECT_NE(ParseError("").message().find("not valid JSON"), std::string::npos);
  EXPECT_NE(ParseError("{\"name\":").message().find("not valid JSON"), std::string::npos);
  EXPECT_NE(ParseError("[1,2]").message().find("must be a JSON object"), std::string::npos);
  EXPECT_NE(ParseError("\"x\"").message().find("must be a JSON object"), std::string::npos);
  EXPECT_NE(ParseError(R"({"name":"x","admin":true})").message().find("unknown field 'admin'"),
            std::string::npos);
  // Invalid UTF-8 inside a string (a lone continuation byte, an overlong form).
  EXPECT_NE(ParseError("{\"name\":\"\x80\"}").message().find("not valid JSON"), std::string::npos);
  EXPECT_NE(ParseError("{\"name\":\"\xc0\xaf\"}").message().find("not valid JSON"),
            std::string::npos);
  std::string deep = std::string(50, '[') + std::string(50, ']');
  EXPECT_NE(ParseError("{\"tags\":" + deep + "}").message().find("not valid JSON"),
            std::string::npos);
}

TEST(JsonBodyTest, RefusesWrongTypesAndBounds) {
  auto body = JsonBody::Parse(R"({"name":5,"count":"3","tags":[1]})", {"name", "count", "tags"});
  ASSERT_OK(body);
  EXPECT_THAT(body->RequiredString("name", 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->RequiredInt("count", 0, 5), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalStringList("tags", 4, 8), ErrorCodeIs(ErrorCode::kInvalidArgument));

  auto other = JsonBody::Parse(R"({"name":"abcdefghijk","count":9,"tags":["a","b","c"]})",
                               {"name", "count", "tags"});
  ASSERT_OK(other);
  auto too_long = other->RequiredString("name", 10);
  ASSERT_THAT(too_long, ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(too_long.error().message().find("'name'"), std::string::npos);
  EXPECT_THAT(other->RequiredInt("count", 0, 5), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(other->OptionalStringList("tags", 2, 8), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(other->RequiredString("absent", 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST(JsonBodyTest, RefusesEmptyRequiredStringsAndControlCharacters) {
  auto body =
      JsonBody::Parse(R"({"name":"","count":1.5,"tags":["a\u0000b"]})", {"name", "count", "tags"});
  ASSERT_OK(body);
  EXPECT_THAT(body->RequiredString("name", 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->RequiredInt("count", 0, 5), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalStringList("tags", 4, 8), ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto newline = JsonBody::Parse(R"({"name":"a\nb"})", {"name"});
  ASSERT_OK(newline);
  EXPECT_THAT(newline->RequiredString("name", 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST(JsonBodyTest, TextsMayHoldLineBreaksButNoOtherControls) {
  auto body =
      JsonBody::Parse(R"({"name":"nom;prenom\r\nA;B\tC\n","tags":"a\u0007b"})", {"name", "tags"});
  ASSERT_OK(body);
  EXPECT_EQ(*body->RequiredText("name", 64), "nom;prenom\r\nA;B\tC\n");
  EXPECT_THAT(body->RequiredText("name", 8), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalText("tags", 64), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_EQ(*body->OptionalText("absent", 64), std::nullopt);
  EXPECT_THAT(body->RequiredText("absent", 64), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

TEST(JsonBodyTest, ReadsBoundedIntegerLists) {
  auto body = JsonBody::Parse(R"({"ids":[1,2,3],"none":[],"bad":[1,"2"],"neg":[-1],"obj":{"a":1}})",
                              {"ids", "none", "bad", "neg", "obj"});
  ASSERT_OK(body);
  EXPECT_EQ(**body->OptionalIntList("ids", 3, 1, 10), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE((*body->OptionalIntList("none", 3, 1, 10))->empty());
  EXPECT_EQ(*body->OptionalIntList("absent", 3, 1, 10), std::nullopt);
  EXPECT_THAT(body->OptionalIntList("ids", 2, 1, 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalIntList("ids", 3, 1, 2), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalIntList("bad", 3, 1, 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalIntList("neg", 3, 1, 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalIntList("obj", 3, 1, 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace vigie::api
