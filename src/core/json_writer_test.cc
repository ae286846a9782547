#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

namespace vigie {
namespace {

namespace json = boost::json;

TEST(JsonWriterTest, NestsWithCommasInTheRightPlaces) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("a", int64_t{1}).Key("b").BeginArray();
  w.BeginObject().EndObject().BeginArray().EndArray().Null().Bool(true);
  w.EndArray().Key("c").BeginObject().Member("d", false).EndObject().EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[{},[],null,true],"c":{"d":false}})");
}

TEST(JsonWriterTest, EscapesWhatJsonRequiresAndParsesBack) {
  std::string text = "quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f";
  text += std::string(1, '\0') + "\x01\x1f\x7f é ünïcødé 🚓";
  std::string out;
  JsonWriter(out).BeginArray().String(text).EndArray();
  EXPECT_EQ(json::parse(out).as_array().at(0).as_string(), text);
  EXPECT_NE(out.find(R"(\u0000\u0001\u001f)"), std::string::npos) << out;
  EXPECT_NE(out.find("\x7f é"), std::string::npos) << "bytes above 0x1f other than \" and \\ stay as they are";
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

TEST(JsonWriterTest, InjectionAttemptsStayInsideTheirString) {
  std::string out;
  JsonWriter(out).BeginObject().Member("k", R"(x","admin":true,"y":")").EndObject();
  const json::object parsed = json::parse(out).as_object();
  EXPECT_EQ(parsed.size(), 1U);
  EXPECT_EQ(parsed.at("k").as_string(), R"(x","admin":true,"y":")");
}

TEST(JsonWriterTest, NumbersAtTheirLimits) {
  std::string out;
  JsonWriter(out).BeginArray()
      .Int(std::numeric_limits<int64_t>::min())
      .Int(0)
      .Uint(std::numeric_limits<uint64_t>::max())
      .EndArray();
  const json::array parsed = json::parse(out).as_array();
  EXPECT_EQ(parsed.at(0).as_int64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(parsed.at(1).as_int64(), 0);
  EXPECT_EQ(parsed.at(2).as_uint64(), std::numeric_limits<uint64_t>::max());
}

TEST(JsonWriterTest, HexAndRawValues) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xab, 0xff};
  std::string out;
  JsonWriter(out).BeginObject().Key("h").Hex(bytes).Key("e").Hex({}).Key("r").Raw(R"({"x":[1]})").EndObject();
  EXPECT_EQ(out, R"({"h":"000fabff","e":"","r":{"x":[1]}})");
}

TEST(JsonWriterTest, AppendsToWhatTheStringHolds) {
  std::string out = "prefix ";
  JsonWriter(out).BeginArray().Uint(7).EndArray();
  EXPECT_EQ(out, "prefix [7]");
}

}  // namespace
}  // namespace vigie
