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

// null is no way to leave a field out: the default an absent field takes
// (an incident release's "reset", which erases factors) needs its absence.
TEST(JsonBodyTest, RefusesNullForEveryType) {
  auto body =
      JsonBody::Parse(R"({"name":null,"count":null,"tags":null})", {"name", "count", "tags"});
  ASSERT_OK(body);
  EXPECT_THAT(body->OptionalString("name", 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->RequiredString("name", 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalText("name", 10), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalInt("count", 0, 5), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->RequiredInt("count", 0, 5), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalBool("count"), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalStringList("tags", 4, 8), ErrorCodeIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(body->OptionalIntList("tags", 4, 1, 9), ErrorCodeIs(ErrorCode::kInvalidArgument));
  auto optional = body->OptionalString("name", 10);
  EXPECT_NE(optional.error().message().find("'name' must be a string"), std::string::npos)
      << optional.error().message();
}

// A key is shown back in the refusal: made safe to display first.
TEST(JsonBodyTest, AnUnknownKeyIsShownWithoutBidirectionalMarks) {
  const std::string message = ParseError("{\"\u202Eetirw\":1}").message();
  EXPECT_EQ(message.find("\xE2\x80\xAE"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown field '?etirw'"), std::string::npos) << message;
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

// Two equal keys in one object mean one thing to a reader keeping the last
// and another to one keeping the first: refused, however they are spelled.
TEST(JsonBodyTest, RefusesDuplicateKeysAtEveryLevel) {
  auto duplicate = [](std::string_view body) {
    auto parsed = JsonBody::Parse(body, {"name", "count", "tags", "a", "b"});
    EXPECT_THAT(parsed, ErrorCodeIs(ErrorCode::kInvalidArgument)) << body;
    return parsed ? std::string() : parsed.error().message();
  };
  EXPECT_EQ(duplicate(R"({"name":"x","name":"y"})"), "duplicate field 'name'");
  EXPECT_EQ(duplicate(R"({"name":"x","count":1,"name":"x"})"), "duplicate field 'name'");
  // Escaped spellings of the same key ("a", "\u0061"; "é" raw and escaped).
  EXPECT_EQ(duplicate(R"({"a":1,"\u0061":2})"), "duplicate field 'a'");
  EXPECT_EQ(duplicate(R"({"n\u0061me":"x","name":"y"})"), "duplicate field 'name'");
  EXPECT_EQ(duplicate("{\"b\":{\"\xc3\xa9\":1,\"\\u00e9\":2}}"), "duplicate field '\xc3\xa9'");
  EXPECT_EQ(duplicate(R"({"b":{"\/":1,"/":2}})"), "duplicate field '/'");
  // Nested: in an object, in an object inside an array, deeper still.
  EXPECT_EQ(duplicate(R"({"a":{"x":1,"y":2,"x":3}})"), "duplicate field 'x'");
  EXPECT_EQ(duplicate(R"({"tags":[{"k":1},{"k":1,"k":2}]})"), "duplicate field 'k'");
  EXPECT_EQ(duplicate(R"({"a":{"b":{"c":{"d":1,"d":1}}},"b":0})"), "duplicate field 'd'");
  // A duplicated unknown field is named as a duplicate.
  EXPECT_NE(duplicate(R"({"admin":1,"admin":2})").find("duplicate field 'admin'"),
            std::string::npos);
  // A long key is named by its first 64 bytes, never cut inside a character.
  std::string key = "x";
  for (int i = 0; i < 40; ++i) key += "\xc3\xa9";  // "x" then 80 bytes of "é"
  EXPECT_EQ(duplicate("{\"" + key + "\":1,\"" + key + "\":2}"),
            "duplicate field '" + key.substr(0, 63) + "'");
}

TEST(JsonBodyTest, AcceptsTheSameKeyInDifferentObjects) {
  auto body =
      JsonBody::Parse(R"({"a":{"x":1,"y":{"x":2}},"b":[{"x":1},{"x":1}],"name":"x","count":1})",
                      {"a", "b", "name", "count"});
  ASSERT_OK(body);
  EXPECT_EQ(*body->RequiredString("name", 10), "x");
  // Keys that differ only after an escape are different keys.
  ASSERT_OK(JsonBody::Parse(R"({"a":{"\u0061":1,"\u0062":2,"a\u0000":3,"A":4}})", {"a"}));
}

TEST(JsonBodyTest, RefusesC1ControlsAndBidirectionalFormatting) {
  // U+0085 NEL, U+009B CSI, U+0080 and U+009F: C1 controls, in strings,
  // texts and lists alike; U+202A-U+202E and U+2066-U+2069 reorder text.
  for (const char* escaped : {"\\u0080", "\\u0085", "\\u009b", "\\u009f", "\\u202a", "\\u202b",
                              "\\u202c", "\\u202d", "\\u202e", "\\u2066", "\\u2067", "\\u2068",
                              "\\u2069", "\\u200e", "\\u200f", "\\u061c", "\\u2028", "\\u2029"}) {
    const std::string text = std::string("ab") + escaped + "cd";
    auto body = JsonBody::Parse("{\"name\":\"" + text + "\",\"tags\":[\"" + text + "\"]}",
                                {"name", "tags"});
    ASSERT_OK(body);
    auto as_string = body->RequiredString("name", 64);
    ASSERT_THAT(as_string, ErrorCodeIs(ErrorCode::kInvalidArgument)) << escaped;
    EXPECT_NE(as_string.error().message().find("'name'"), std::string::npos);
    EXPECT_THAT(body->OptionalString("name", 64), ErrorCodeIs(ErrorCode::kInvalidArgument));
    EXPECT_THAT(body->RequiredText("name", 64), ErrorCodeIs(ErrorCode::kInvalidArgument))
        << escaped;
    EXPECT_THAT(body->OptionalText("name", 64), ErrorCodeIs(ErrorCode::kInvalidArgument));
    EXPECT_THAT(body->OptionalStringList("tags", 4, 64), ErrorCodeIs(ErrorCode::kInvalidArgument))
        << escaped;
  }
  // The neighbours stay allowed: U+00A0, U+00E9, U+200D, U+202F, U+2065,
  // U+206A; and a line break in a text.
  auto body = JsonBody::Parse(
      R"({"name":"\u00a0\u00e9\u007e\u200d\u202f\u2065\u206a\u2010\u2070","tags":"l1\nl2\tx"})",
      {"name", "tags"});
  ASSERT_OK(body);
  EXPECT_OK(body->RequiredString("name", 64));
  EXPECT_EQ(*body->RequiredText("tags", 64), "l1\nl2\tx");
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
