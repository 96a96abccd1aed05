#include "common/json.h"

#include "common/testing/json_literal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <variant>

namespace quiver {
namespace {

using testing::HasSubstr;
using testing::StartsWith;

using test_support::J;

// Parses and prints again: the canonical compact form.
std::string RoundTrip(std::string_view text) { return J(text).Dump(); }

Status ParseError(std::string_view text) {
  StatusOr<Json> j = Json::Parse(text);
  EXPECT_FALSE(j.ok()) << "accepted: " << text;
  return j.ok() ? Status() : j.status();
}

TEST(JsonTest, ScalarsRoundTrip) {
  EXPECT_EQ(RoundTrip("null"), "null");
  EXPECT_EQ(RoundTrip("true"), "true");
  EXPECT_EQ(RoundTrip("false"), "false");
  EXPECT_EQ(RoundTrip("0"), "0");
  EXPECT_EQ(RoundTrip("-17"), "-17");
  EXPECT_EQ(RoundTrip("\"abc\""), "\"abc\"");
  EXPECT_EQ(RoundTrip("  [ 1 , 2 ]  "), "[1,2]");
  EXPECT_EQ(RoundTrip("{ \"a\" : { } , \"b\" : [ ] }"), "{\"a\":{},\"b\":[]}");
}

TEST(JsonTest, NestedDocumentRoundTripsUnchanged) {
  const std::string text =
      R"({"id":7,"name":"x","tags":["a","b"],"nested":{"f":1.5,"n":null,"t":true,)"
      R"("deep":[{"k":[1,[2,[3]]]}]},"big":18446744073709551615,"neg":-9223372036854775808})";
  Json j = J(text);
  EXPECT_EQ(j.Dump(), text);
  // Parsing the dump gives an equal tree.
  EXPECT_EQ(J(j.Dump()), j);
}

TEST(JsonTest, IntegersAndDoublesKeepTheirKind) {
  Json one = J("1");
  Json one_point_zero = J("1.0");
  EXPECT_EQ(one.type(), Json::Type::kInt);
  EXPECT_EQ(one.as_int(), 1);
  EXPECT_EQ(one_point_zero.type(), Json::Type::kDouble);
  EXPECT_DOUBLE_EQ(one_point_zero.as_double(), 1.0);
  EXPECT_EQ(one.Dump(), "1");
  EXPECT_EQ(one_point_zero.Dump(), "1.0");
  EXPECT_FALSE(one == one_point_zero);  // kinds differ, as in Qdrant
  EXPECT_TRUE(one.is_integer());
  EXPECT_FALSE(one_point_zero.is_integer());
  EXPECT_TRUE(one_point_zero.is_number());

  EXPECT_EQ(Json(2.0).Dump(), "2.0");
  EXPECT_EQ(Json(-3.0).Dump(), "-3.0");
  EXPECT_EQ(Json(0.5).Dump(), "0.5");
  EXPECT_EQ(J("1e2").type(), Json::Type::kDouble);
  EXPECT_DOUBLE_EQ(J("1e2").as_double(), 100.0);
  EXPECT_EQ(J("1e2").Dump(), "100.0");
  EXPECT_EQ(J("-0.0").type(), Json::Type::kDouble);
  EXPECT_EQ(J("1.25").Dump(), "1.25");
  EXPECT_EQ(J("0.1").Dump(), "0.1");  // shortest form that reads back the same double
  EXPECT_DOUBLE_EQ(J("123456789.125").as_double(), 123456789.125);
}

// Doubles parse to the nearest double whatever their length: short ones on RapidJSON's fast path,
// long ones (17 digits, exponents, huge integers, subnormals) again from their text.
TEST(JsonTest, DoublesParseExactly) {
  for (const char* text : {"0.1", "0.30000000000000004", "1.7976931348623157e308",
                           "2.2250738585072014e-308", "5e-324", "4.9406564584124654e-324", "1e23",
                           "8.98846567431158e307", "123456789012345678901234567890",
                           "-0.000000000000000000001", "0.26666666", "1234567.8901234567",
                           "9007199254740993.0", "-2.5E-3", "1E+2"}) {
    Json j = J(text);
    ASSERT_TRUE(j.is_number()) << text;
    EXPECT_EQ(j.as_double(), std::strtod(text, nullptr)) << text;
  }
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<uint64_t> bits;
  int checked = 0;
  while (checked < 20000) {
    uint64_t b = bits(rng);
    double d;
    std::memcpy(&d, &b, sizeof d);
    if (!std::isfinite(d)) continue;
    char text[64];
    std::snprintf(text, sizeof text, checked % 2 ? "%.17g" : "%.9g", d);
    Json j = J(text);
    ASSERT_TRUE(j.is_number()) << text;
    ASSERT_EQ(j.as_double(), std::strtod(text, nullptr)) << text;
    ++checked;
  }
}

TEST(JsonTest, Int64Limits) {
  Json max = J("9223372036854775807");
  EXPECT_EQ(max.type(), Json::Type::kInt);
  EXPECT_EQ(max.as_int(), std::numeric_limits<int64_t>::max());
  Json min = J("-9223372036854775808");
  EXPECT_EQ(min.type(), Json::Type::kInt);
  EXPECT_EQ(min.as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(min.Dump(), "-9223372036854775808");
}

TEST(JsonTest, Uint64AboveInt64MaxIsUInt) {
  Json above = J("9223372036854775808");
  EXPECT_EQ(above.type(), Json::Type::kUInt);
  EXPECT_EQ(above.as_uint(), uint64_t{9223372036854775808ULL});
  EXPECT_EQ(above.Dump(), "9223372036854775808");
  Json max = J("18446744073709551615");
  EXPECT_EQ(max.type(), Json::Type::kUInt);
  EXPECT_EQ(max.as_uint(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(max.Dump(), "18446744073709551615");
  EXPECT_TRUE(max.is_integer());
  EXPECT_DOUBLE_EQ(max.as_double(), 18446744073709551615.0);

  // The uint64 constructor keeps small values as kInt, so equal values compare equal.
  EXPECT_EQ(Json(uint64_t{5}).type(), Json::Type::kInt);
  EXPECT_EQ(Json(uint64_t{5}), J("5"));
  EXPECT_EQ(Json(std::numeric_limits<uint64_t>::max()), max);
  EXPECT_EQ(Json(uint64_t{9223372036854775807ULL}).type(), Json::Type::kInt);
  EXPECT_EQ(Json(uint64_t{9223372036854775808ULL}).type(), Json::Type::kUInt);
}

TEST(JsonTest, FloatPrintsInFloat32ShortestForm) {
  EXPECT_EQ(Json::Float(0.05f).Dump(), "0.05");
  EXPECT_EQ(Json::Float(0.1f).Dump(), "0.1");
  EXPECT_EQ(Json::Float(1.0f).Dump(), "1.0");
  EXPECT_EQ(Json::Float(-2.5f).Dump(), "-2.5");
  EXPECT_EQ(Json::Float(0.70710677f).Dump(), "0.70710677");
  // The same value as a double shows float32's rounding error.
  EXPECT_EQ(Json(static_cast<double>(0.05f)).Dump(), "0.05000000074505806");
  EXPECT_EQ(Json::Float(0.05f).type(), Json::Type::kDouble);
}

TEST(JsonTest, NonFiniteDoublesPrintAsNull) {
  EXPECT_EQ(Json(std::numeric_limits<double>::quiet_NaN()).Dump(), "null");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()).Dump(), "null");
  EXPECT_EQ(Json::Float(-std::numeric_limits<float>::infinity()).Dump(), "null");
}

TEST(JsonTest, StringEscaping) {
  EXPECT_EQ(Json("a\"b").Dump(), R"("a\"b")");
  EXPECT_EQ(Json("a\\b").Dump(), R"("a\\b")");
  EXPECT_EQ(Json("\n\r\t\b\f").Dump(), R"("\n\r\t\b\f")");
  EXPECT_EQ(Json(std::string("\x01\x1f", 2)).Dump(), R"("\u0001\u001f")");
  EXPECT_EQ(Json(std::string("a\0b", 3)).Dump(), R"("a\u0000b")");
  EXPECT_EQ(Json("/").Dump(), "\"/\"");     // no need to escape a slash
  EXPECT_EQ(Json("\x7f").Dump(), "\"\x7f\"");  // DEL is not a control char for JSON

  std::string out;
  AppendJsonString("x\"y", &out);
  EXPECT_EQ(out, R"("x\"y")");
}

TEST(JsonTest, ControlCharactersRoundTrip) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  Json j(all);
  Json back = J(j.Dump());
  ASSERT_TRUE(back.is_string());
  EXPECT_EQ(back.as_string(), all);
}

TEST(JsonTest, UnicodePassesThroughUnescaped) {
  const std::string text = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80";  // héllo ✓ 😀
  EXPECT_EQ(Json(text).Dump(), "\"" + text + "\"");
  Json parsed = J("\"" + text + "\"");
  EXPECT_EQ(parsed.as_string(), text);
  // \u escapes decode to UTF-8, surrogate pairs included.
  EXPECT_EQ(J(R"("\u00e9")").as_string(), "\xC3\xA9");
  EXPECT_EQ(J(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(J(R"("\u0041\/")").as_string(), "A/");
  // Keys too.
  Json obj = J("{\"" + text + "\": 1}");
  ASSERT_NE(obj.Find(text), nullptr);
  EXPECT_EQ(obj.Dump(), "{\"" + text + "\":1}");
}

// serde_json (behind Qdrant's REST API) refuses bytes that are not UTF-8; echoing them back would
// make Quiver's own responses invalid JSON text.
TEST(JsonTest, InvalidUtf8Rejected) {
  for (const char* bad : {"\"\xff\"", "\"a\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
                          "{\"\xff\": 1}", "[\"ok\", \"\x80\"]"}) {
    StatusOr<Json> j = Json::Parse(bad);
    EXPECT_FALSE(j.ok()) << "accepted invalid UTF-8: " << testing::PrintToString(std::string(bad));
    if (!j.ok()) {
      EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
    }
  }
  // Lone surrogates in \u escapes are not characters either.
  EXPECT_FALSE(Json::Parse(R"("\ud800")").ok());
  EXPECT_FALSE(Json::Parse(R"("\udc00x")").ok());
}

TEST(JsonTest, MalformedInputNamesLineAndColumn) {
  Status s = ParseError("{\"a\": }");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("line 1 column"));

  s = ParseError("{\n  \"a\": 1,\n  \"b\": tru\n}");
  EXPECT_THAT(s.message(), HasSubstr("line 3 column"));

  s = ParseError("[1,\n2,\n\n  x]");
  EXPECT_THAT(s.message(), HasSubstr("line 4 column 3"));

  for (const char* bad : {"", "   ", "{", "[1,2", "{\"a\" 1}", "{'a': 1}", "[1,]", "{\"a\":1,}",
                          "nul", "01", "1.", "-", "\"unterminated", "\"bad \\x escape\"",
                          "{1: 2}", "NaN", "Infinity"}) {
    StatusOr<Json> j = Json::Parse(bad);
    EXPECT_FALSE(j.ok()) << "accepted: " << bad;
    if (!j.ok()) {
      EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument) << bad;
      EXPECT_THAT(j.status().message(), HasSubstr("line ")) << bad;
      EXPECT_THAT(j.status().message(), HasSubstr("column ")) << bad;
    }
  }
}

TEST(JsonTest, TrailingGarbageRejected) {
  for (const char* bad : {"{} x", "1 2", "[1]]", "{}{}", "true false", "\"a\" \"b\"", "null,"}) {
    Status s = ParseError(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("line 1 column")) << bad;
  }
  Status s = ParseError("{}\n\n  x");
  EXPECT_THAT(s.message(), HasSubstr("line 3 column 3"));
  // Whitespace after the document is fine.
  EXPECT_EQ(RoundTrip("{} \n\t\r "), "{}");
}

TEST(JsonTest, DuplicateKeysLastWins) {
  Json j = J(R"({"a": 1, "b": 2, "a": 3})");
  EXPECT_EQ(j.size(), 2u);
  ASSERT_NE(j.Find("a"), nullptr);
  EXPECT_EQ(j.Find("a")->as_int(), 3);
  Json nested = J(R"({"o": {"x": [1], "x": {"y": true}}})");
  EXPECT_EQ(nested.Find("o")->size(), 1u);
  EXPECT_EQ(nested.Find("o")->Find("x")->Dump(), R"({"y":true})");
}

TEST(JsonTest, ObjectKeyOrderPreserved) {
  const std::string text = R"({"zeta":1,"alpha":2,"mid":{"b":1,"a":2},"0":3})";
  Json j = J(text);
  EXPECT_EQ(j.Dump(), text);
  ASSERT_EQ(j.as_object().size(), 4u);
  EXPECT_EQ(j.as_object()[0].first, "zeta");
  EXPECT_EQ(j.as_object()[3].first, "0");
}

TEST(JsonTest, ObjectEqualityIgnoresMemberOrder) {
  EXPECT_EQ(J(R"({"a":1,"b":[1,2]})"), J(R"({"b":[1,2],"a":1})"));
  EXPECT_FALSE(J(R"({"a":1})") == J(R"({"a":1,"b":2})"));
  EXPECT_FALSE(J("[1,2]") == J("[2,1]"));
  EXPECT_FALSE(J("null") == J("false"));
  EXPECT_FALSE(J("\"1\"") == J("1"));
}

TEST(JsonTest, FindSetErase) {
  Json j;  // null becomes an object on Set
  EXPECT_EQ(j.Find("a"), nullptr);
  j.Set("a", 1);
  j.Set("b", "two");
  j.Set("c", Json::MakeArray());
  EXPECT_TRUE(j.is_object());
  EXPECT_EQ(j.Dump(), R"({"a":1,"b":"two","c":[]})");

  // Replacing keeps the member's position.
  Json& replaced = j.Set("a", Json(Json::Object{{"x", Json(true)}}));
  EXPECT_TRUE(replaced.is_object());
  EXPECT_EQ(j.Dump(), R"({"a":{"x":true},"b":"two","c":[]})");

  // Find gives mutable access.
  Json* c = j.Find("c");
  ASSERT_NE(c, nullptr);
  c->Push(1);
  EXPECT_EQ(j.Find("c")->Dump(), "[1]");
  const Json& cj = j;
  ASSERT_NE(cj.Find("b"), nullptr);
  EXPECT_EQ(cj.Find("b")->as_string(), "two");

  EXPECT_TRUE(j.Erase("b"));
  EXPECT_FALSE(j.Erase("b"));
  EXPECT_FALSE(j.Erase("missing"));
  EXPECT_EQ(j.Dump(), R"({"a":{"x":true},"c":[1]})");
  EXPECT_EQ(j.size(), 2u);

  // Lookups on non-objects find nothing.
  EXPECT_EQ(Json(5).Find("a"), nullptr);
  EXPECT_EQ(J("[1]").Find("0"), nullptr);
  Json s("str");
  EXPECT_FALSE(s.Erase("a"));
}

TEST(JsonTest, Push) {
  Json j;  // null becomes an array on Push
  j.Push(1);
  j.Push("x");
  Json& last = j.Push(Json::MakeObject());
  last.Set("k", nullptr);
  EXPECT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 3u);
  EXPECT_EQ(j.Dump(), R"([1,"x",{"k":null}])");
  EXPECT_EQ(Json(7).size(), 0u);
  EXPECT_EQ(Json("abc").size(), 0u);
}

TEST(JsonTest, ConstructorsPickTheRightKind) {
  EXPECT_EQ(Json().type(), Json::Type::kNull);
  EXPECT_EQ(Json(nullptr).type(), Json::Type::kNull);
  EXPECT_EQ(Json(true).type(), Json::Type::kBool);
  EXPECT_EQ(Json(3).type(), Json::Type::kInt);
  EXPECT_EQ(Json(int64_t{-3}).type(), Json::Type::kInt);
  EXPECT_EQ(Json(3.5).type(), Json::Type::kDouble);
  EXPECT_EQ(Json("s").type(), Json::Type::kString);
  EXPECT_EQ(Json(std::string("s")).type(), Json::Type::kString);
  EXPECT_EQ(Json(std::string_view("s")).type(), Json::Type::kString);
  EXPECT_EQ(Json::MakeArray().Dump(), "[]");
  EXPECT_EQ(Json::MakeObject().Dump(), "{}");
  EXPECT_DOUBLE_EQ(Json(7).as_double(), 7.0);
}

// Strings, arrays and objects are owned through a pointer: copies must be deep, moves must leave
// a null behind, and assigning a value its own child must not free the child first.
TEST(JsonTest, CopiesAreDeepAndMovesSafe) {
  Json original = J(R"({"a": [1, "two", {"b": 3.5}], "s": "text"})");
  Json copy = original;
  copy.Find("a")->as_array()[1] = Json("changed");
  copy.Set("s", Json(false));
  EXPECT_EQ(original.Dump(), R"({"a":[1,"two",{"b":3.5}],"s":"text"})");
  EXPECT_EQ(copy.Dump(), R"({"a":[1,"changed",{"b":3.5}],"s":false})");
  copy = original;  // copy-assignment over a value holding heap parts
  EXPECT_EQ(copy, original);

  Json moved = std::move(copy);
  EXPECT_TRUE(copy.is_null());  // NOLINT(bugprone-use-after-move): what a move leaves is defined
  EXPECT_EQ(moved, original);

  Json tree = J(R"([[1, 2], {"k": "v"}])");
  tree = std::move(tree.as_array()[1]);  // the new value lived inside the old one
  EXPECT_EQ(tree.Dump(), R"({"k":"v"})");
  tree = std::move(*tree.Find("k"));
  EXPECT_EQ(tree.Dump(), R"("v")");

  Json number = Json::Float(0.05f);
  Json number_copy = number;  // the float32 mark travels with the value
  EXPECT_EQ(number_copy.Dump(), "0.05");
  EXPECT_EQ(sizeof(Json), 16u);
}

TEST(JsonTest, WrongKindAccessThrows) {
  EXPECT_THROW(Json(3).as_array(), std::bad_variant_access);
  EXPECT_THROW(Json("s").as_object(), std::bad_variant_access);
  EXPECT_THROW(Json::MakeArray().as_string(), std::bad_variant_access);
}

// A request body of deeply nested arrays must be refused, not overflow the stack (serde_json,
// and so Qdrant, stops at a recursion limit of 128 and answers 400). Run in a child process so
// that a crash is reported as a failure of this test only.
TEST(JsonDeathTest, DeepNestingIsAnErrorNotACrash) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const size_t depth = 100000;
  const std::string text = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_EXIT(
      {
        StatusOr<Json> j = Json::Parse(text);
        std::_Exit(!j.ok() && j.status().code() == StatusCode::kInvalidArgument ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
  const std::string objects = [] {
    std::string s;
    for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(depth, '}');
    return s;
  }();
  EXPECT_EXIT(
      {
        StatusOr<Json> j = Json::Parse(objects);
        std::_Exit(!j.ok() ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
}

TEST(JsonTest, ModerateNestingIsFine) {
  const size_t depth = 100;
  const std::string text = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_EQ(RoundTrip(text), text);
}

}  // namespace
}  // namespace quiver
