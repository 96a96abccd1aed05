#include "collection/filter.h"

#include "collection/testing/filter_literal.h"
#include "common/testing/json_literal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

namespace quiver {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

using test_support::F;
using test_support::J;

Status ParseError(std::string_view text) {
  StatusOr<Filter> f = ParseFilter(J(text));
  EXPECT_FALSE(f.ok()) << "accepted: " << text;
  return f.ok() ? Status() : f.status();
}

// A point with the given payload, id and named vectors ("" is the unnamed one).
struct TestPoint {
  PointId id = PointId::Num(1);
  Json payload = Json::MakeObject();
  std::set<std::string> vectors = {""};
};

bool Eval(const Filter& f, const TestPoint& p) {
  PointView view{p.id, p.payload,
                 [&](std::string_view name) { return p.vectors.count(std::string(name)) > 0; }};
  return Matches(f, view);
}

bool M(std::string_view filter, std::string_view payload) {
  TestPoint p;
  p.payload = J(payload);
  return Eval(F(filter), p);
}

// Ids (keys of `points`) whose payload matches `filter`.
std::vector<uint64_t> Select(std::string_view filter,
                             const std::map<uint64_t, std::string>& points) {
  Filter f = F(filter);
  std::vector<uint64_t> out;
  for (const auto& [id, payload] : points) {
    TestPoint p;
    p.id = PointId::Num(id);
    p.payload = J(payload);
    if (Eval(f, p)) out.push_back(id);
  }
  return out;
}

// Qdrant's basic_collection_setup payloads (tests/openapi/helpers/collection_setup.py).
const std::map<uint64_t, std::string> kBasic = {
    {1, R"({"city": "Berlin", "price": 10.0})"},
    {2, R"({"city": ["Berlin", "London"], "price": 11.0})"},
    {3, R"({"city": ["Berlin", "Moscow"], "price": 9.5})"},
    {4, R"({"city": ["London", "Moscow"], "price": 9})"},
    {5, R"({"count": 0})"},
    {6, R"({})"},
    {7, R"({"city": null, "price": null})"},
    {8, R"({"city": [], "price": []})"},
};

// Qdrant's multipayload_collection_setup payloads.
const std::map<uint64_t, std::string> kMulti = {
    {1, R"({"city": "Berlin", "color": "red"})"},
    {2, R"({"city": ["Berlin", "London"], "color": "green"})"},
    {3, R"({"city": ["Berlin", "Moscow"], "color": "blue"})"},
    {4, R"({"city": ["London", "Moscow"], "color": "red"})"},
    {5, R"({"city": "Seoul", "color": "red", "count": 0})"},
    {6, R"({"city": "Berlin", "color": "red", "count": 1, "price": 10.0})"},
    {7, R"({"city": "London", "color": "red", "count": 0, "price": 50.0})"},
    {8, R"({"city": "Moscow", "color": "red", "count": 1, "price": 100.0})"},
};

// ---- structure ----

TEST(FilterParse, NullAndEmptyMatchEverything) {
  EXPECT_TRUE(M("null", "{}"));
  EXPECT_TRUE(M("{}", R"({"a": 1})"));
  EXPECT_TRUE(M(R"({"must": null, "should": null, "must_not": null, "min_should": null})", "{}"));
  EXPECT_TRUE(M(R"({"must": [{}]})", "{}"));  // `{}` as a condition is an empty filter
}

TEST(FilterParse, SingleConditionInsteadOfList) {
  EXPECT_TRUE(M(R"({"must": {"key": "a", "match": {"value": 1}}})", R"({"a": 1})"));
  EXPECT_FALSE(M(R"({"must_not": {"key": "a", "match": {"value": 1}}})", R"({"a": 1})"));
}

TEST(FilterParse, ShapeErrorsAreInvalidArgument) {
  Status s = ParseError(R"({"must": [], "foo": 1})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("unknown field `foo`"));
  s = ParseError(R"({"must": [{"foo": 1}]})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Expected some form of condition"));
  EXPECT_THAT(s.message(), HasSubstr("filter.must[0]"));
  s = ParseError(R"({"must": [{"key": 5, "match": {"value": 1}}]})");
  EXPECT_THAT(s.message(), HasSubstr("Filter condition 'key' must be a string"));
  s = ParseError(R"({"must": [{"key": "a..b", "match": {"value": 1}}]})");
  EXPECT_THAT(s.message(), HasSubstr("Invalid json path: 'a..b'"));
  EXPECT_EQ(ParseError(R"({"must": 5})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError(R"([])").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError(R"({"must": ["a"]})").code(), StatusCode::kInvalidArgument);
  // A filter-shaped condition with an unknown field is no condition at all.
  EXPECT_THAT(ParseError(R"({"must": [{"must": [], "x": 1}]})").message(),
              HasSubstr("Expected some form of condition"));
  // The error of the variant that was meant is reported.
  EXPECT_THAT(ParseError(R"({"must": [{"is_empty": {"key": 1}}]})").message(),
              HasSubstr("filter.must[0].is_empty.key"));
}

TEST(FilterParse, JustKeyIsUnprocessable) {
  // Qdrant's test_just_key: 422 "At least one field condition must be specified".
  Status s = ParseError(R"({"must": [{"key": "city"}]})");
  EXPECT_EQ(s.code(), StatusCode::kUnprocessable);
  EXPECT_EQ(s.message(), "filter.must[0]: At least one field condition must be specified");
  s = ParseError(R"({"must": [{"key": "city", "match": null, "range": null}]})");
  EXPECT_EQ(s.code(), StatusCode::kUnprocessable);
  // Deep inside nested too, with the label of the caller.
  StatusOr<Filter> f = ParseFilter(
      J(R"({"must": [{"nested": {"key": "a", "filter": {"should": [{"key": "b"}]}}}]})"), "query");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(
      f.status().message(),
      "query.must[0].nested.filter.should[0]: At least one field condition must be specified");
  // A shape error wins over a validation error (Qdrant deserializes before validating).
  EXPECT_EQ(ParseError(R"({"must": [{"key": "a"}], "x": 1})").code(), StatusCode::kInvalidArgument);
}

TEST(FilterParse, UnknownFieldsOfConditionsAreIgnored) {
  EXPECT_TRUE(
      M(R"({"must": [{"key": "a", "match": {"value": 1}, "comment": "x"}]})", R"({"a": 1})"));
  EXPECT_TRUE(M(R"({"must": [{"is_empty": {"key": "a", "x": 1}}]})", "{}"));
}

// ---- match ----

TEST(FilterMatch, ValueKinds) {
  EXPECT_TRUE(M(R"({"must": [{"key": "a", "match": {"value": "x"}}]})", R"({"a": "x"})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "a", "match": {"value": "x"}}]})", R"({"a": "xy"})"));
  EXPECT_TRUE(M(R"({"must": [{"key": "a", "match": {"value": 5}}]})", R"({"a": 5})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "a", "match": {"value": 5}}]})", R"({"a": 5.0})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "a", "match": {"value": 5}}]})", R"({"a": "5"})"));
  EXPECT_TRUE(M(R"({"must": [{"key": "a", "match": {"value": -5}}]})", R"({"a": -5})"));
  EXPECT_TRUE(M(R"({"must": [{"key": "a", "match": {"value": true}}]})", R"({"a": true})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "a", "match": {"value": true}}]})", R"({"a": 1})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "a", "match": {"value": 5}}]})", R"({"b": 5})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "a", "match": {"value": 5}}]})", R"({"a": null})"));
}

TEST(FilterMatch, ArrayValuesMatchAnyElement) {
  std::string f = R"({"should": [{"key": "city", "match": {"value": "London"}}]})";
  EXPECT_THAT(Select(f, kBasic), ElementsAre(2, 4));
  EXPECT_TRUE(M(R"({"must": [{"key": "a", "match": {"value": 1}}]})", R"({"a": [3, 1]})"));
  // Arrays inside arrays are not expanded.
  EXPECT_FALSE(M(R"({"must": [{"key": "a", "match": {"value": 1}}]})", R"({"a": [[1]]})"));
  EXPECT_TRUE(M(R"({"must": [{"key": "a[][]", "match": {"value": 1}}]})", R"({"a": [[1]]})"));
}

TEST(FilterMatch, BadValuesAreRejected) {
  for (std::string_view m : {R"({"value": 1.5})", R"({"value": null})", R"({"value": [1]})",
                             R"({"value": 18446744073709551615})", R"({"any": [1, "a"]})",
                             R"({"any": [1.5]})", R"({"except": "a"})", R"({"foo": 1})", "5"}) {
    Status s = ParseError(R"({"must": [{"key": "a", "match": )" + std::string(m) + "}]}");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << m;
    EXPECT_THAT(s.message(), HasSubstr("filter.must[0].match")) << m;
  }
}

TEST(FilterMatch, UntaggedOrderTakesFirstFittingVariant) {
  // An invalid `value` does not hide a valid `text` (serde untagged semantics).
  EXPECT_TRUE(
      M(R"({"must": [{"key": "a", "match": {"value": 1.5, "text": "bc"}}]})", R"({"a": "abcd"})"));
  // `value` wins over `any` when both are valid.
  EXPECT_FALSE(
      M(R"({"must": [{"key": "a", "match": {"value": "x", "any": ["y"]}}]})", R"({"a": "y"})"));
}

TEST(FilterMatch, Any) {
  EXPECT_THAT(
      Select(R"({"must": [{"key": "city", "match": {"any": ["London", "Moscow"]}}]})", kBasic),
      ElementsAre(2, 3, 4));
  EXPECT_TRUE(M(R"({"must": [{"key": "n", "match": {"any": [1, 2]}}]})", R"({"n": 2})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "n", "match": {"any": [1, 2]}}]})", R"({"n": 2.0})"));
  EXPECT_FALSE(M(R"({"must": [{"key": "n", "match": {"any": ["2"]}}]})", R"({"n": 2})"));
  // Long lists use a hash set; same answers.
  std::string many = R"({"must": [{"key": "n", "match": {"any": [)";
  for (int i = 0; i < 40; ++i) {
    if (i > 0) many += ",";
    many += std::to_string(i * 3);
  }
  many += "]}}]}";
  EXPECT_TRUE(M(many, R"({"n": 117})"));
  EXPECT_FALSE(M(many, R"({"n": 118})"));
}

TEST(FilterMatch, AnyEmptyMatchesNothing) {
  // Qdrant's test_match_any_empty.py.
  const std::map<uint64_t, std::string> points = {
      {1, R"({"n": 1, "tag": "a", "uid": "550e8400-e29b-41d4-a716-446655440001"})"},
      {2, R"({"n": 2, "tag": "b", "uid": "550e8400-e29b-41d4-a716-446655440002"})"},
      {3, R"({"n": 3, "tag": "c", "uid": "550e8400-e29b-41d4-a716-446655440003"})"}};
  for (std::string_view key : {"n", "tag", "uid"}) {
    std::string cond = R"({"key": ")" + std::string(key) + R"(", "match": {"any": []}})";
    EXPECT_TRUE(Select(R"({"must": [)" + cond + "]}", points).empty()) << key;
    EXPECT_THAT(Select(R"({"must_not": [)" + cond + "]}", points), ElementsAre(1, 2, 3)) << key;
  }
  EXPECT_THAT(Select(R"({"must": [{"key": "n", "match": {"any": [1]}}]})", points), ElementsAre(1));
  EXPECT_THAT(Select(R"({"must": [{"key": "tag", "match": {"any": ["a"]}}]})", points),
              ElementsAre(1));
}

TEST(FilterMatch, Except) {
  // Qdrant's test_match_except_empty.py.
  const std::map<uint64_t, std::string> points = {
      {1, R"({"n": 1, "tag": "a", "uid": "550e8400-e29b-41d4-a716-446655440001"})"},
      {2, R"({"n": 2, "tag": "b", "uid": "550e8400-e29b-41d4-a716-446655440002"})"},
      {3, R"({"n": 3, "tag": "c", "uid": "550e8400-e29b-41d4-a716-446655440003"})"},
      {4, R"({})"}};
  auto except = [&](std::string_view key, std::string_view list) {
    return Select(R"({"must": [{"key": ")" + std::string(key) + R"(", "match": {"except": )" +
                      std::string(list) + "}}]}",
                  points);
  };
  for (std::string_view key : {"n", "tag", "uid"})
    EXPECT_THAT(except(key, "[]"), ElementsAre(1, 2, 3));
  EXPECT_THAT(except("n", "[1]"), ElementsAre(2, 3));
  EXPECT_THAT(except("tag", R"(["a"])"), ElementsAre(2, 3));
  EXPECT_THAT(except("uid", R"(["550e8400-e29b-41d4-a716-446655440001"])"), ElementsAre(2, 3));
  EXPECT_THAT(except("n", R"(["foo", "bar"])"), ElementsAre(1, 2, 3));  // cross-type
  EXPECT_THAT(except("tag", "[999, 888]"), ElementsAre(1, 2, 3));
  EXPECT_TRUE(except("n", "[1, 2, 3]").empty());
  EXPECT_TRUE(except("tag", R"(["a", "b", "c"])").empty());
  // Per value: null never passes, other kinds always do, arrays need one passing element.
  std::string f = R"({"must": [{"key": "a", "match": {"except": [1]}}]})";
  EXPECT_FALSE(M(f, R"({"a": null})"));
  EXPECT_FALSE(M(f, R"({"a": []})"));
  EXPECT_FALSE(M(f, R"({"a": [1, null]})"));
  EXPECT_TRUE(M(f, R"({"a": [1, 2]})"));
  EXPECT_TRUE(M(f, R"({"a": true})"));
  EXPECT_TRUE(M(f, R"({"a": 1.0})"));
  EXPECT_TRUE(M(f, R"({"a": {"x": 1}})"));
  EXPECT_TRUE(M(f, R"({"a": [[1]]})"));
}

TEST(FilterMatch, TextPhrasePrefixWithoutIndexAreSubstringChecks) {
  auto m = [](std::string_view match, std::string_view payload) {
    return M(R"({"must": [{"key": "t", "match": )" + std::string(match) + "}]}", payload);
  };
  EXPECT_TRUE(m(R"({"text": "world"})", R"({"t": "hello world"})"));
  EXPECT_TRUE(m(R"({"text": "wor"})", R"({"t": "hello world"})"));
  EXPECT_FALSE(m(R"({"text": "World"})", R"({"t": "hello world"})"));  // case-sensitive
  EXPECT_TRUE(m(R"({"text": ""})", R"({"t": "x"})"));
  EXPECT_FALSE(m(R"({"text": "1"})", R"({"t": 1})"));
  EXPECT_TRUE(m(R"({"text": "b"})", R"({"t": ["a", "abc"]})"));
  EXPECT_TRUE(m(R"({"phrase": "lo wo"})", R"({"t": "hello world"})"));
  EXPECT_FALSE(m(R"({"phrase": "world hello"})", R"({"t": "hello world"})"));
  EXPECT_TRUE(m(R"({"text_any": "zzz  orl\tqq"})", R"({"t": "hello world"})"));
  EXPECT_FALSE(m(R"({"text_any": "zzz qq"})", R"({"t": "hello world"})"));
  EXPECT_FALSE(m(R"({"text_any": "   "})", R"({"t": "hello world"})"));
  EXPECT_TRUE(m(R"({"prefix": "hel"})", R"({"t": "hello"})"));
  EXPECT_FALSE(m(R"({"prefix": "ell"})", R"({"t": "hello"})"));
}

// ---- range ----

TEST(FilterRange, Numbers) {
  auto r = [](std::string_view range, std::string_view payload) {
    return M(R"({"must": [{"key": "p", "range": )" + std::string(range) + "}]}", payload);
  };
  EXPECT_TRUE(r(R"({"gte": 10})", R"({"p": 10})"));
  EXPECT_FALSE(r(R"({"gt": 10})", R"({"p": 10})"));
  EXPECT_TRUE(r(R"({"gt": 10})", R"({"p": 10.5})"));
  EXPECT_TRUE(r(R"({"lte": 10.0})", R"({"p": 10})"));
  EXPECT_FALSE(r(R"({"lt": 10})", R"({"p": 10})"));
  EXPECT_TRUE(r(R"({"gt": 1, "lt": 3, "gte": null})", R"({"p": 2})"));
  EXPECT_TRUE(r(R"({"lt": 3})", R"({"p": [5, 2]})"));
  EXPECT_FALSE(r(R"({"lt": 3})", R"({"p": "1"})"));
  EXPECT_FALSE(r(R"({"lt": 3})", R"({"p": null})"));
  EXPECT_FALSE(r(R"({"lt": 3})", R"({"p": true})"));
  EXPECT_FALSE(r(R"({"lt": 3})", "{}"));
  EXPECT_TRUE(r("{}", R"({"p": -1e300})"));  // no bounds: any number
  EXPECT_FALSE(r("{}", R"({"p": "x"})"));
  EXPECT_EQ(ParseError(R"({"must": [{"key": "p", "range": {"lt": true}}]})").code(),
            StatusCode::kInvalidArgument);
}

TEST(FilterRange, MinShouldWithMustRange) {
  // Qdrant's test_min_should_combined_with_must.
  EXPECT_THAT(Select(R"({"min_should": {"conditions": [
                           {"key": "city", "match": {"any": ["Berlin", "Moscow"]}},
                           {"key": "color", "match": {"value": "red"}},
                           {"key": "count", "match": {"value": 0}}], "min_count": 2},
                         "must": [{"key": "price", "range": {"gt": null, "gte": 50.0,
                                                            "lt": null, "lte": 200.0}}]})",
                     kMulti),
              ElementsAre(7, 8));
}

TEST(FilterRange, Datetimes) {
  auto r = [](std::string_view range, std::string_view value) {
    return M(R"({"must": [{"key": "d", "range": )" + std::string(range) + "}]}",
             R"({"d": ")" + std::string(value) + R"("})");
  };
  std::string feb = R"({"gte": "2020-02-01T00:00:00Z", "lt": "2020-03-01T00:00:00Z"})";
  EXPECT_TRUE(r(feb, "2020-02-15T00:00:00Z"));
  EXPECT_FALSE(r(feb, "2020-03-01T00:00:00Z"));
  EXPECT_TRUE(r(feb, "2020-03-01T00:59:59+01:00"));  // still February in UTC
  EXPECT_TRUE(r(feb, "2020-02-01"));                 // date only: midnight UTC
  EXPECT_FALSE(r(feb, "2020-01-31 23:59:59.999999"));
  EXPECT_FALSE(r(feb, "not a date"));
  EXPECT_TRUE(r(R"({"gt": "2020-01-01", "lte": null})", "2020-01-01T00:00:00.000000001Z"));
  EXPECT_FALSE(r(R"({"gt": "2020-01-01"})", "2020-01-01T00:00:00Z"));
  EXPECT_FALSE(M(R"({"must": [{"key": "d", "range": {"gt": "2020-01-01"}}]})", R"({"d": 5})"));
  EXPECT_TRUE(M(R"({"must": [{"key": "d", "range": {"gt": "2020-01-01"}}]})",
                R"({"d": ["1999-01-01", "2021-01-01T10:00:00"]})"));

  Status s = ParseError(R"({"must": [{"key": "d", "range": {"gt": "2020-13-01"}}]})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("filter.must[0].range.gt: '2020-13-01' does not match "
                                     "accepted datetime format (RFC3339). Example: "
                                     "2014-01-01T00:00:00Z"));
  // A datetime range takes strings only.
  EXPECT_EQ(
      ParseError(R"({"must": [{"key": "d", "range": {"gt": "2020-01-01", "lt": 5}}]})").code(),
      StatusCode::kInvalidArgument);
}

TEST(FilterDatetime, AcceptedFormats) {
  auto secs = [](std::string_view s) -> int64_t {
    std::optional<Datetime> dt = ParseDatetime(s);
    EXPECT_TRUE(dt.has_value()) << s;
    return dt ? dt->seconds : 0;
  };
  const int64_t t = 1577934245;  // 2020-01-02T03:04:05Z
  for (std::string_view s :
       {"2020-01-02T03:04:05Z", "2020-01-02t03:04:05z", "2020-01-02 03:04:05Z",
        "2020-01-02T03:04:05+00:00", "2020-01-02T05:04:05+02:00", "2020-01-02T05:04:05+0200",
        "2020-01-02T05:04:05+02", "2020-01-02 01:04:05-02:00", "2020-01-02T03:04:05 UTC",
        "2020-01-02T03:04:05utc", "2020-01-02T03:04:05", "2020-01-02 03:04:05",
        "2020-01-02T03:04:05.123", "2020-01-02T03:04:05.123456789Z", "2020-01-02T03:04:05Z  ",
        "2020-1-2T3:4:5Z"}) {
    EXPECT_EQ(secs(s), t) << s;
  }
  EXPECT_EQ(secs("2020-01-02T03:04"), t - 5);
  EXPECT_EQ(secs("2020-01-02 03:04"), t - 5);
  EXPECT_EQ(secs("2020-01-02"), t - 3 * 3600 - 4 * 60 - 5);
  EXPECT_EQ(secs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(secs("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(secs("2000-02-29"), 951782400);
  EXPECT_EQ(ParseDatetime("2020-01-02T03:04:05.5Z")->nanos, 500000000u);
  EXPECT_EQ(ParseDatetime("2020-01-02T03:04:05.1234567891Z")->nanos, 123456789u);
  // A leap second sorts between :59 and the next minute.
  Datetime leap = *ParseDatetime("2016-12-31T23:59:60Z");
  EXPECT_LT(*ParseDatetime("2016-12-31T23:59:59.9Z"), leap);
  EXPECT_LT(leap, *ParseDatetime("2017-01-01T00:00:00Z"));
}

TEST(FilterDatetime, RejectedFormats) {
  for (std::string_view s : {"",
                             "2020",
                             "2020-01",
                             "2020-13-01",
                             "2020-02-30",
                             "2019-02-29",
                             "2020-01-01T",
                             "2020-01-01T10",
                             "2020-01-01T24:00:00Z",
                             "2020-01-01T10:60:00",
                             "2020-01-01T10:00Z",
                             "2020-01-01Z",
                             "2020-01-01T10:00:00+24:00",
                             "2020-01-01T10:00:00+05:60",
                             "2020-01-01T10:00:00+5",
                             "2020-01-01T10:00:00.Z",
                             "2020-01-01T10:00:00 ",
                             "2020-01-01 ",
                             "2020-01-01T10:00:00Zx",
                             "01/02/2020",
                             "20200102T030405Z",
                             "2020-01-01T10:00:00+05:3",
                             "2020-01-01t10:00:00"}) {
    EXPECT_FALSE(ParseDatetime(s).has_value()) << s;
  }
}

TEST(FilterDatetime, TimezoneOrdering) {
  // Qdrant's test_timezone_ordering: listed in increasing instant order.
  std::vector<std::string_view> in_order = {"2000-06-08 00:18:53+0900", "2000-06-07 07:25:34-1100",
                                            "2000-07-10T00:18:53+0100", "2000-07-11 00:25:34-01:00",
                                            "2000-07-11 00:25:35-01"};
  for (size_t i = 0; i + 1 < in_order.size(); ++i) {
    ASSERT_TRUE(ParseDatetime(in_order[i]) && ParseDatetime(in_order[i + 1])) << i;
    EXPECT_LT(*ParseDatetime(in_order[i]), *ParseDatetime(in_order[i + 1])) << i;
  }
}

// ---- values_count ----

TEST(FilterValuesCount, QdrantRestCases) {
  auto vc = [](std::string_view bounds) {
    return Select(R"({"must": [{"key": "city", "values_count": )" + std::string(bounds) + "}]}",
                  kBasic);
  };
  EXPECT_TRUE(vc(R"({"gt": 2})").empty());
  EXPECT_THAT(vc(R"({"gte": 2})"), ElementsAre(2, 3, 4));
  // Missing (5, 6), null (7) and [] (8) count 0.
  EXPECT_THAT(vc(R"({"lt": 2})"), ElementsAre(1, 5, 6, 7, 8));
  const std::map<uint64_t, std::string> tags = {
      {1, R"({"tags": ["a", "b", "c"]})"}, {2, R"({"tags": ["x"]})"}, {3, R"({"title": "x"})"}};
  auto tc = [&](std::string_view b) {
    return Select(R"({"must": [{"key": "tags", "values_count": )" + std::string(b) + "}]}", tags);
  };
  EXPECT_THAT(tc(R"({"lt": 1})"), ElementsAre(3));
  EXPECT_THAT(tc(R"({"gte": 0})"), ElementsAre(1, 2, 3));
  EXPECT_THAT(tc(R"({"lte": 0})"), ElementsAre(3));
  EXPECT_EQ(ParseError(R"({"must": [{"key": "a", "values_count": {"lt": -1}}]})").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError(R"({"must": [{"key": "a", "values_count": {"lt": 1.5}}]})").code(),
            StatusCode::kInvalidArgument);
}

TEST(FilterValuesCount, CountsEachRawValue) {
  // Objects count 1; with a wildcard path each element is counted on its own.
  EXPECT_TRUE(M(R"({"must": [{"key": "a", "values_count": {"gt": 1}}]})",
                R"({"a": [{"c": 1}, {"c": 2}]})"));
  EXPECT_FALSE(
      M(R"({"must": [{"key": "a[]", "values_count": {"gt": 1}}]})", R"({"a": [1, 2, 3]})"));
  EXPECT_TRUE(M(R"({"must": [{"key": "a[].b", "values_count": {"gt": 1}}]})",
                R"({"a": [{"b": 1}, {"b": [1, 2]}]})"));
}

// ---- is_empty, is_null ----

constexpr char kCheckerPayload[] = R"({
  "location": {"lon": 13.404954, "lat": 52.520008}, "price": 499.90, "amount": 10,
  "rating": [3, 7, 9, 9], "color": "red", "has_delivery": true,
  "shipped_at": "2020-02-15T00:00:00Z", "parts": [], "packaging": null, "not_null": [null]})";

bool Cond(std::string_view condition) {
  return M(R"({"must": [)" + std::string(condition) + "]}", kCheckerPayload);
}

TEST(FilterEmptyNull, QdrantConditionChecker) {
  // Qdrant's test_condition_checker (query_checker.rs).
  EXPECT_FALSE(Cond(R"({"is_empty": {"key": "price"}})"));
  EXPECT_TRUE(Cond(R"({"is_empty": {"key": "something_new"}})"));
  EXPECT_TRUE(Cond(R"({"is_empty": {"key": "parts"}})"));
  EXPECT_FALSE(Cond(R"({"is_empty": {"key": "not_null"}})"));
  EXPECT_TRUE(Cond(R"({"is_empty": {"key": "packaging"}})"));
  EXPECT_FALSE(Cond(R"({"is_null": {"key": "amount"}})"));
  EXPECT_FALSE(Cond(R"({"is_null": {"key": "parts"}})"));
  EXPECT_FALSE(Cond(R"({"is_null": {"key": "something_else"}})"));
  EXPECT_TRUE(Cond(R"({"is_null": {"key": "packaging"}})"));
  EXPECT_FALSE(Cond(R"({"is_null": {"key": "not_null"}})"));
  EXPECT_TRUE(Cond(R"({"key": "rating", "values_count": {"lt": 5}})"));
  EXPECT_FALSE(Cond(R"({"key": "rating", "values_count": {"gte": 10}})"));
  EXPECT_FALSE(Cond(R"({"key": "rating", "range": {"lte": 2}})"));
  EXPECT_TRUE(Cond(R"({"key": "rating", "range": {"lte": 5}})"));
  EXPECT_TRUE(Cond(R"({"key": "has_delivery", "match": {"value": true}})"));
  EXPECT_TRUE(Cond(R"({"key": "shipped_at", "range": {"gte": "2020-02-01T00:00:00Z",
                                                     "lt": "2020-03-01T00:00:00Z"}})"));
  EXPECT_FALSE(Cond(R"({"key": "shipped_at", "range": {"gte": "2020-03-01T00:00:00Z"}})"));
}

TEST(FilterEmptyNull, FieldFormsPerValue) {
  // Qdrant's test_value_checker_for_null_or_empty: key/is_empty and key/is_null forms.
  struct Case {
    const char* value;
    bool empty, null;
  };
  for (const Case& c :
       {Case{"[]", true, false}, Case{"[null]", false, true}, Case{"[true]", false, false},
        Case{"[true, null]", false, true}, Case{"{}", false, false}, Case{"\"s\"", false, false},
        Case{"1", false, false}, Case{"true", false, false}, Case{"null", true, true}}) {
    std::string payload = std::string(R"({"k": )") + c.value + "}";
    EXPECT_EQ(M(R"({"must": [{"key": "k", "is_empty": true}]})", payload), c.empty) << c.value;
    EXPECT_EQ(M(R"({"must": [{"key": "k", "is_empty": false}]})", payload), !c.empty) << c.value;
    EXPECT_EQ(M(R"({"must": [{"key": "k", "is_null": true}]})", payload), c.null) << c.value;
    EXPECT_EQ(M(R"({"must": [{"key": "k", "is_null": false}]})", payload), !c.null) << c.value;
  }
  // Missing field: is_empty true holds, is_null true does not.
  EXPECT_TRUE(M(R"({"must": [{"key": "k", "is_empty": true}]})", "{}"));
  EXPECT_FALSE(M(R"({"must": [{"key": "k", "is_empty": false}]})", "{}"));
  EXPECT_FALSE(M(R"({"must": [{"key": "k", "is_null": true}]})", "{}"));
  EXPECT_TRUE(M(R"({"must": [{"key": "k", "is_null": false}]})", "{}"));
}

TEST(FilterEmptyNull, ConditionFormVersusFieldFormOnManyValues) {
  // is_empty {key}: every value empty. key/is_empty: some value empty (Qdrant issue #10621).
  std::string payload = R"({"a": [{"b": 1}, {"b": []}]})";
  EXPECT_FALSE(M(R"({"must": [{"is_empty": {"key": "a[].b"}}]})", payload));
  EXPECT_TRUE(M(R"({"must": [{"key": "a[].b", "is_empty": true}]})", payload));
  // is_null {key}: some value is null.
  EXPECT_TRUE(
      M(R"({"must": [{"is_null": {"key": "a[].b"}}]})", R"({"a": [{"b": 1}, {"b": null}]})"));
  EXPECT_THAT(Select(R"({"must": [{"is_empty": {"key": "city"}}]})", kBasic),
              ElementsAre(5, 6, 7, 8));
}

TEST(FilterEmptyNull, ValuesCountTakesPrecedence) {
  // With several checks in one field condition, values_count decides alone, then is_empty...
  EXPECT_TRUE(M(R"({"must": [{"key": "a", "values_count": {"gt": 1}, "is_empty": true}]})",
                R"({"a": [1, 2]})"));
  EXPECT_TRUE(
      M(R"({"must": [{"key": "a", "is_empty": false, "match": {"value": 5}}]})", R"({"a": 1})"));
  // ...while match, range and geo checks are ORed.
  EXPECT_TRUE(
      M(R"({"must": [{"key": "a", "match": {"value": 5}, "range": {"lt": 3}}]})", R"({"a": 1})"));
}

// ---- geo ----

TEST(FilterGeo, BoundingBox) {
  std::string berlin = R"({"must": [{"key": "location", "geo_bounding_box": {
      "top_left": {"lon": 13.08835, "lat": 52.67551},
      "bottom_right": {"lon": 13.76116, "lat": 52.33826}}}]})";
  std::string moscow = R"({"must": [{"key": "location", "geo_bounding_box": {
      "top_left": {"lon": 37.0366, "lat": 56.1859},
      "bottom_right": {"lon": 38.2532, "lat": 55.317}}}]})";
  EXPECT_TRUE(M(berlin, kCheckerPayload));
  EXPECT_FALSE(M(moscow, kCheckerPayload));
  EXPECT_TRUE(M(berlin, R"({"location": [{"lon": 0, "lat": 0}, {"lon": 13.4, "lat": 52.5}]})"));
  EXPECT_FALSE(M(berlin, R"({"location": {"lon": "13.4", "lat": 52.5}})"));
  EXPECT_FALSE(M(berlin, R"({"location": [13.4, 52.5]})"));
  // Edges are excluded.
  GeoBoundingBox box{{-1, 1}, {1, -1}};
  EXPECT_TRUE(box.Contains({-0.5, 0.5}));
  EXPECT_FALSE(box.Contains({1.5, 1.5}));
  EXPECT_FALSE(box.Contains({1, 0}));
  // Antimeridian (Qdrant's USA box).
  GeoBoundingBox usa{{167.0, 74.071028}, {-66.885417, 18.7763}};
  EXPECT_TRUE(usa.Contains({-73.991516, 40.75798}));
  EXPECT_FALSE(usa.Contains({13.41053, 52.52437}));
}

TEST(FilterGeo, Radius) {
  EXPECT_NEAR(HaversineMeters({-74.006, 40.7128}, {-0.1278, 51.5074}), 5570230, 1);
  GeoRadius r{{0, 0}, 80000};
  EXPECT_TRUE(r.Contains({0.5, 0.5}));
  EXPECT_FALSE(r.Contains({1.5, 1.5}));
  std::string near = R"({"must": [{"key": "l", "geo_radius": {
      "center": {"lon": 13.413637, "lat": 52.521976}, "radius": 2000.0}}]})";
  std::string miss = R"({"must": [{"key": "l", "geo_radius": {
      "center": {"lon": 20.423637, "lat": 52.511}, "radius": 2000}}]})";
  std::string both = R"({"l": [{"lat": 52.52197645, "lon": 13.413637435864272},
                              {"lat": 55.7536283, "lon": 37.62137960067377}]})";
  EXPECT_TRUE(M(near, both));
  EXPECT_FALSE(M(miss, both));
}

TEST(FilterGeo, PointValidation) {
  Status s = ParseError(R"({"must": [{"key": "l", "geo_radius": {
      "center": {"lon": 200, "lat": 0}, "radius": 1}}]})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("expected `lat` = 0 within [-90;90] and `lon` = 200 within "
                                     "[-180;180]"));
  EXPECT_THAT(
      ParseError(R"({"must": [{"key": "l", "geo_radius": {"center": {"lon": 1}, "radius": 1}}]})")
          .message(),
      HasSubstr("missing field `lat`"));
  EXPECT_THAT(
      ParseError(R"({"must": [{"key": "l", "geo_radius": {"center": {"lon": 1, "lat": 1}}}]})")
          .message(),
      HasSubstr("missing field `radius`"));
}

std::string Ring(const std::vector<std::pair<double, double>>& points) {
  std::string out = R"({"points": [)";
  for (size_t i = 0; i < points.size(); ++i) {
    if (i > 0) out += ",";
    out += R"({"lon": )";
    out += std::to_string(points[i].first);
    out += R"(, "lat": )";
    out += std::to_string(points[i].second);
    out += "}";
  }
  return out + "]}";
}

std::string PolygonFilter(const std::string& exterior, const std::string& interiors = "") {
  return R"({"must": [{"key": "location", "geo_polygon": {"exterior": )" + exterior +
         (interiors.empty() ? "" : R"(, "interiors": )" + interiors) + "}}]}";
}

TEST(FilterGeo, PolygonUnitCases) {
  // Qdrant's test_geo_polygon_check_point (types.rs).
  auto inside = [](const Filter& f, double lon, double lat) {
    TestPoint p;
    p.payload = J(R"({"location": {"lon": )" + std::to_string(lon) + R"(, "lat": )" +
                  std::to_string(lat) + "}}");
    return Eval(f, p);
  };
  Filter square = F(PolygonFilter(Ring({{-1, -1}, {1, -1}, {1, 1}, {-1, 1}, {-1, -1}})));
  EXPECT_TRUE(inside(square, 0.5, 0.5));
  EXPECT_FALSE(inside(square, 1.5, 1.5));
  EXPECT_FALSE(inside(square, 1.0, 0.0));  // on the boundary
  Filter twisted = F(PolygonFilter(Ring({{-1, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}})));
  EXPECT_TRUE(inside(twisted, 0.5, 0.0));
  EXPECT_FALSE(inside(twisted, 0.0, 0.5));
  EXPECT_FALSE(inside(twisted, 0.0, 0.0));
  Filter holed = F(PolygonFilter(
      Ring({{-1, -1}, {1.5, -1}, {1.5, 1.5}, {-1, 1.5}, {-1, -1}}),
      "[" + Ring({{-0.5, -0.5}, {-0.5, 0.5}, {0.5, 0.5}, {0.5, -0.5}, {-0.5, -0.5}}) + "]"));
  EXPECT_TRUE(inside(holed, 0.6, 0.6));
  EXPECT_FALSE(inside(holed, 0.0, 0.0));
  EXPECT_FALSE(inside(holed, 0.5, 0.5));  // on the hole's boundary
}

TEST(FilterGeo, PolygonRestCases) {
  // Qdrant's test_geo_filter.py on geo_collection_setup's points.
  const std::map<uint64_t, std::string> points = {
      {1, R"({"location": {"lon": 50.5200, "lat": 50.4050}})"},
      {2, R"({"location": {"lon": 60.5200, "lat": 60.4050}})"},
      {3, R"({"location": {"lon": -60.5200, "lat": -60.4050}})"},
      {4, R"({"location": {"lon": 80.5200, "lat": 80.4050}})"}};
  std::string simple = Ring({{55.455868, 55.495862},
                             {86.455868, 55.495862},
                             {86.455868, 86.495862},
                             {55.455868, 86.495862},
                             {55.455868, 55.495862}});
  EXPECT_THAT(Select(PolygonFilter(simple, "[]"), points), ElementsAre(2, 4));
  EXPECT_THAT(Select(PolygonFilter(simple), points), ElementsAre(2, 4));
  std::string span = Ring({{-70, -70}, {60, -70}, {60, 60}, {-70, 60}, {-70, -70}});
  EXPECT_THAT(Select(PolygonFilter(span), points), ElementsAre(1, 3));
  std::string world = Ring({{-180, -90}, {180, -90}, {180, 90}, {-180, 90}, {-180, -90}});
  EXPECT_THAT(Select(PolygonFilter(world), points), ElementsAre(1, 2, 3, 4));
  std::string hole = Ring({{-65, -65}, {0, -65}, {0, 0}, {-65, 0}, {-65, -65}});
  EXPECT_THAT(Select(PolygonFilter(span, "[" + hole + "]"), points), ElementsAre(1));
  std::string a = Ring({{55, 55}, {65, 55}, {65, 65}, {55, 65}, {55, 55}});
  std::string b = Ring({{75, 75}, {85, 75}, {85, 85}, {75, 85}, {75, 75}});
  std::string cond_a = R"({"key": "location", "geo_polygon": {"exterior": )" + a + "}}";
  std::string cond_b = R"({"key": "location", "geo_polygon": {"exterior": )" + b + "}}";
  EXPECT_THAT(Select(R"({"should": [)" + cond_a + "," + cond_b + "]}", points), ElementsAre(2, 4));
  EXPECT_TRUE(Select(R"({"must": [)" + cond_a + "," + cond_b + "]}", points).empty());
}

TEST(FilterGeo, InvalidPolygons) {
  Status s = ParseError(PolygonFilter(Ring({{-180, -90}, {180, -90}, {180, 90}, {-180, 90}})));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("polygon invalid, the first and the last points should be "
                                     "the same to form a closed line"));
  s = ParseError(PolygonFilter(Ring({{-180, -90}, {180, -90}, {-180, -90}})));
  EXPECT_THAT(s.message(), HasSubstr("polygon invalid, the size must be at least 4, got 3"));
  s = ParseError(PolygonFilter(Ring({{0, 0}, {1, 0}, {1, 1}, {0, 0}}),
                               "[" + Ring({{0, 0}, {1, 0}, {0, 0}}) + "]"));
  EXPECT_THAT(s.message(), HasSubstr("geo_polygon.interiors[0]"));
  EXPECT_EQ(ParseError(R"({"must": [{"key": "l", "geo_polygon": {"interiors": []}}]})").code(),
            StatusCode::kInvalidArgument);
}

// ---- ids, vectors, slices ----

TEST(FilterHasId, NumbersAndUuids) {
  Filter f = F(R"({"must": [{"has_id": [1, 2, "550e8400-e29b-41d4-a716-446655440000"]}]})");
  TestPoint p;
  p.id = PointId::Num(2);
  EXPECT_TRUE(Eval(f, p));
  p.id = PointId::Num(3);
  EXPECT_FALSE(Eval(f, p));
  p.id = *PointId::FromJson(Json("550E8400E29B41D4A716446655440000"));
  EXPECT_TRUE(Eval(f, p));
  Filter none = F(R"({"must_not": [{"has_id": [1, 2, 3]}]})");
  p.id = PointId::Num(2);
  EXPECT_FALSE(Eval(none, p));
  p.id = PointId::Num(10);
  EXPECT_TRUE(Eval(none, p));
  EXPECT_FALSE(Eval(F(R"({"must": [{"has_id": []}]})"), p));
  Status s = ParseError(R"({"must": [{"has_id": [-1]}]})");
  EXPECT_THAT(s.message(), HasSubstr("is not a valid point ID"));
  EXPECT_EQ(ParseError(R"({"must": [{"has_id": 1}]})").code(), StatusCode::kInvalidArgument);
}

TEST(FilterHasId, MinShould) {
  // Qdrant's test_min_should_never: no id is in two of the disjoint lists.
  std::map<uint64_t, std::string> points;
  for (uint64_t i = 1; i <= 10; ++i) points[i] = "{}";
  EXPECT_TRUE(Select(R"({"min_should": {"conditions": [{"has_id": [1, 2]}, {"has_id": [4, 5, 6]},
                         {"has_id": [7, 8, 9, 10]}], "min_count": 2}})",
                     points)
                  .empty());
  EXPECT_THAT(Select(R"({"min_should": {"conditions": [{"has_id": [1, 2]}, {"has_id": [2, 3]}],
                         "min_count": 2}})",
                     points),
              ElementsAre(2));
}

TEST(FilterHasId, RequiredIds) {
  EXPECT_FALSE(RequiredIds(F("{}")).has_value());
  EXPECT_FALSE(RequiredIds(F(R"({"should": [{"has_id": [1]}]})")).has_value());
  std::optional<std::vector<PointId>> ids =
      RequiredIds(F(R"({"must": [{"has_id": [3, 1, 2]}, {"key": "a", "match": {"value": 1}},
                                 {"has_id": [2, 3, 4]}]})"));
  ASSERT_TRUE(ids.has_value());
  EXPECT_THAT(*ids, ElementsAre(PointId::Num(2), PointId::Num(3)));
}

TEST(FilterHasVector, NamedAndDefault) {
  TestPoint p;
  p.vectors = {"text", "image"};
  EXPECT_TRUE(Eval(F(R"({"must": [{"has_vector": "text"}]})"), p));
  EXPECT_FALSE(Eval(F(R"({"must": [{"has_vector": "sparse-text"}]})"), p));
  EXPECT_FALSE(Eval(F(R"({"must": [{"has_vector": ""}]})"), p));
  p.vectors = {""};
  EXPECT_TRUE(Eval(F(R"({"must": [{"has_vector": ""}]})"), p));
  EXPECT_EQ(ParseError(R"({"must": [{"has_vector": 1}]})").code(), StatusCode::kInvalidArgument);
}

TEST(FilterSlice, SipHashReferenceVectors) {
  // SipHash-2-4 paper, key 00 01 .. 0f.
  uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  EXPECT_EQ(SipHash24(k0, k1, ""), 0x726fdb47dd0e0e31ULL);
  std::string fifteen;
  for (char c = 0; c < 15; ++c) fifteen.push_back(c);
  EXPECT_EQ(SipHash24(k0, k1, fifteen), 0xa129ca6149be45e5ULL);
  std::string eight = fifteen.substr(0, 8);
  EXPECT_EQ(SipHash24(k0, k1, eight), 0x93f5f5799a932462ULL);
}

TEST(FilterSlice, SlicesPartitionIds) {
  std::vector<Filter> slices;
  for (int i = 0; i < 5; ++i) {
    slices.push_back(
        F(R"({"must": [{"slice": {"total": 5, "index": )" + std::to_string(i) + "}}]}"));
  }
  std::vector<int> per_slice(5);
  for (uint64_t n = 0; n < 200; ++n) {
    TestPoint p;
    if (n < 100) {
      p.id = PointId::Num(n);
    } else {  // the UUID's last four hex digits are n, zero-padded
      std::string digits = std::to_string(n);
      auto uuid = PointId::FromJson(
          Json("550e8400-e29b-41d4-a716-44665544" + std::string(4 - digits.size(), '0') + digits));
      ASSERT_TRUE(uuid.ok()) << uuid.status().message();
      p.id = *uuid;
    }
    int matched = 0;
    for (int i = 0; i < 5; ++i) {
      if (Eval(slices[i], p)) {
        ++matched;
        ++per_slice[i];
      }
    }
    EXPECT_EQ(matched, 1) << n;
  }
  for (int count : per_slice) EXPECT_GT(count, 0);
  Status s = ParseError(R"({"must": [{"slice": {"total": 2, "index": 2}}]})");
  EXPECT_EQ(s.code(), StatusCode::kUnprocessable);
  EXPECT_THAT(s.message(), HasSubstr("Slice index must be less than the total number of slices"));
  EXPECT_EQ(ParseError(R"({"must": [{"slice": {"total": 0, "index": 0}}]})").code(),
            StatusCode::kInvalidArgument);
}

// ---- boolean structure ----

TEST(FilterLogic, ShouldMustMustNot) {
  std::string red = R"({"key": "color", "match": {"value": "red"}})";
  std::string blue = R"({"key": "color", "match": {"value": "blue"}})";
  std::string berlin = R"({"key": "location", "geo_bounding_box": {
      "top_left": {"lon": 13.08835, "lat": 52.67551},
      "bottom_right": {"lon": 13.76116, "lat": 52.33826}}})";
  std::string delivery = R"({"key": "has_delivery", "match": {"value": true}})";
  auto m = [](const std::string& f) { return M(f, kCheckerPayload); };
  EXPECT_TRUE(m(R"({"must_not": [)" + blue + "]}"));
  EXPECT_FALSE(m(R"({"must_not": [)" + red + "]}"));
  EXPECT_TRUE(
      m(R"({"should": [)" + red + "," + blue + R"(], "must": [)" + delivery + "," + berlin + "]}"));
  EXPECT_FALSE(m(R"({"should": [{"must": [)" + blue + "," + berlin + R"(]}, {"must": [)" + red +
                 R"(, {"has_id": [99]}]}]})"));
  EXPECT_TRUE(m(R"({"should": [{"must": [)" + blue + "," + berlin + R"(]}, {"must": [)" + red +
                "," + berlin + "]}]}"));
}

TEST(FilterLogic, EmptyShouldIsNoConstraintAtTopLevel) {
  EXPECT_TRUE(M(R"({"should": []})", R"({"a": 1})"));
  EXPECT_TRUE(M(R"({"must": [{"should": []}]})", R"({"a": 1})"));
  EXPECT_FALSE(
      M(R"({"should": [], "must": [{"key": "a", "match": {"value": 2}}]})", R"({"a": 1})"));
}

TEST(FilterLogic, EmptyShouldMatchesNothingInsideNested) {
  // Qdrant checks nested filters with its plain checker: `any` over an empty list is false.
  EXPECT_FALSE(M(R"({"must": [{"nested": {"key": "a", "filter": {"should": []}}}]})",
                 R"({"a": [{"x": 1}]})"));
  EXPECT_TRUE(M(R"({"must": [{"nested": {"key": "a", "filter": {}}}]})", R"({"a": [{"x": 1}]})"));
}

TEST(FilterLogic, MinShould) {
  std::string ms = R"({"conditions": [{"key": "city", "match": {"any": ["Berlin", "Moscow"]}},
                                      {"key": "color", "match": {"value": "red"}},
                                      {"key": "count", "match": {"value": 0}}], "min_count": 2})";
  EXPECT_THAT(Select(R"({"min_should": )" + ms + "}", kMulti), ElementsAre(1, 4, 5, 6, 7, 8));
  // As a condition inside must_not (Qdrant's test_nested_min_should).
  EXPECT_THAT(Select(R"({"must_not": [{"min_should": )" + ms + "}]}", kMulti), ElementsAre(2, 3));
  // Fewer conditions than min_count never match.
  EXPECT_FALSE(M(R"({"min_should": {"conditions": [], "min_count": 1}})", "{}"));
  Status s = ParseError(R"({"min_should": {"conditions": [{"has_id": [1]}]}})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);  // missing min_count: 400
  EXPECT_THAT(s.message(), HasSubstr("missing field `min_count`"));
  s = ParseError(R"({"min_should": {"conditions": [], "min_count": 0}})");
  EXPECT_EQ(s.code(), StatusCode::kUnprocessable);
  EXPECT_EQ(s.message(), "filter.min_should.min_count: min_count must be greater than 0");
}

// ---- nested ----

// Qdrant's nested_payload_collection_setup (tests/openapi/test_nested_payload_indexing.py).
const std::map<uint64_t, std::string> kCountries = {
    {1, R"({"country": {"name": "Germany", "capital": "Berlin", "cities": [
          {"name": "Berlin", "population": 3.7, "location": {"lon": 13.76116, "lat": 52.33826},
           "sightseeing": ["Brandenburg Gate", "Reichstag"]},
          {"name": "Munich", "population": 1.5, "location": {"lon": 11.57549, "lat": 48.13743},
           "sightseeing": ["Marienplatz", "Olympiapark"]},
          {"name": "Hamburg", "population": 1.8, "location": {"lon": 9.99368, "lat": 53.55108},
           "sightseeing": ["Reeperbahn", "Elbphilharmonie"]}]}})"},
    {2, R"({"country": {"name": "England", "capital": "London", "cities": [
          {"name": "London", "population": 8.9, "location": {"lon": -0.12755, "lat": 51.50722},
           "sightseeing": ["Big Ben", "London Eye", "Buckingham Palace"]},
          {"name": "Manchester", "population": 2.5, "location": {"lon": -2.23743, "lat": 53.48095},
           "sightseeing": ["Manchester United", "Manchester City"]},
          {"name": "Liverpool", "population": 0.5, "location": {"lon": -2.97794, "lat": 53.41058},
           "sightseeing": ["Anfield", "Albert Dock"]}]}})"},
    {3, R"({"country": {"name": "France", "capital": "Paris", "cities": [
          {"name": "Paris", "population": 2.2, "location": {"lon": 2.35222, "lat": 48.85661},
           "sightseeing": ["Eiffel Tower", "Louvre", "Notre Dame", "Arc de Triomphe"]},
          {"name": "Marseille", "population": 0.9, "location": {"lon": 5.36978, "lat": 43.29648},
           "sightseeing": ["Vieux Port", "Notre Dame de la Garde"]},
          {"name": "Lyon", "population": 0.5, "location": {"lon": 4.83565, "lat": 45.76404},
           "sightseeing": ["Place Bellecour", "Fourvière Basilica"]}]}})"},
    {4, R"({"country": {"name": "Japan", "capital": "Tokyo", "cities": [
          {"name": "Tokyo", "population": 9.3, "location": {"lon": 139.69171, "lat": 35.6895},
           "sightseeing": ["Tokyo Tower", "Tokyo Skytree"]},
          {"name": "Osaka", "population": 2.7, "location": {"lon": 135.50217, "lat": 34.69374},
           "sightseeing": ["Osaka Castle", "Universal Studios Japan"]},
          {"name": "Kyoto", "population": 1.5, "location": {"lon": 135.76803, "lat": 35.01163},
           "sightseeing": ["Kiyomizu-dera", "Fushimi Inari-taisha"]}]}})"},
    {5, R"({"country": {"name": "Nauru", "cities": [{"name": null}]}})"},
    {6, R"({})"},
};

std::vector<uint64_t> Nested(std::string_view key, std::string_view inner) {
  return Select(R"({"must": [{"nested": {"key": ")" + std::string(key) + R"(", "filter": )" +
                    std::string(inner) + "}}]}",
                kCountries);
}

TEST(FilterNested, QdrantRestCases) {
  std::string pop9 = R"({"must": [{"key": "population", "range": {"gte": 9.0}}]})";
  EXPECT_THAT(Nested("country.cities[]", pop9), ElementsAre(4));
  EXPECT_THAT(Nested("country.cities", pop9), ElementsAre(4));  // [] added implicitly
  EXPECT_THAT(
      Nested("country.cities",
             R"({"must": [{"must": [{"key": "sightseeing", "values_count": {"gt": 3}}]}]})"),
      ElementsAre(3));
  EXPECT_TRUE(Nested("country.cities",
                     R"({"must": [{"key": "population", "range": {"gte": 9.0}}],
                         "must_not": [{"key": "sightseeing", "values_count": {"gt": 1}}]})")
                  .empty());
  // Both conditions must hold for one single city.
  EXPECT_TRUE(Nested("country.cities",
                     R"({"must": [{"key": "population", "range": {"gte": 9.0}},
                                  {"key": "sightseeing", "values_count": {"gt": 2}}]})")
                  .empty());
  EXPECT_THAT(Nested("country.cities",
                     R"({"must": [{"key": "population", "range": {"gte": 8.0}},
                                  {"key": "sightseeing", "values_count": {"lt": 3}}]})"),
              ElementsAre(4));
  EXPECT_THAT(Nested("country.cities",
                     R"({"must_not": [{"key": "population", "range": {"lt": 8.0}},
                                      {"is_null": {"key": "name"}}]})"),
              ElementsAre(2, 4));
  EXPECT_THAT(Nested("country.cities",
                     R"({"must_not": [{"key": "population", "range": {"lt": 8.0}},
                                      {"key": "sightseeing", "values_count": {"gte": 3}},
                                      {"is_null": {"key": "name"}}]})"),
              ElementsAre(4));
  EXPECT_THAT(Nested("country.cities", R"({"must": [{"is_null": {"key": "name"}}]})"),
              ElementsAre(5));
  EXPECT_THAT(Nested("country.cities", R"({"must": [{"key": "location", "geo_bounding_box": {
                         "bottom_right": {"lon": 13.76117, "lat": 52.33825},
                         "top_left": {"lon": 13.08835, "lat": 52.67551}}}]})"),
              ElementsAre(1));
  EXPECT_THAT(Nested("country.cities", R"({"must": [{"key": "location", "geo_radius": {
                         "center": {"lon": 13.76117, "lat": 52.33825}, "radius": 1000}}]})"),
              ElementsAre(1));
  // Plain paths through arrays (no nested): any city anywhere.
  EXPECT_THAT(Select(R"({"should": [{"key": "country.capital", "match": {"value": "London"}}]})",
                     kCountries),
              ElementsAre(2));
  EXPECT_THAT(Select(R"({"must": [
                         {"key": "country.cities[].population", "range": {"gte": 8}},
                         {"key": "country.cities[].sightseeing", "values_count": {"gt": 2}}]})",
                     kCountries),
              ElementsAre(2));
}

TEST(FilterNested, NestingNested) {
  // Qdrant's test_nesting_nested_payload_query.py.
  const std::map<uint64_t, std::string> points = {{1, R"({"arr1": [{"arr2": [{"a": 1, "b": 2}]},
                       {"arr2": [{"a": 3, "b": 4}, {"a": 5, "b": 6}]}]})"},
                                                  {2, R"({"arr1": [{"arr2": [{"a": 2, "b": 3}]},
                       {"arr2": [{"a": 3, "b": 5}, {"a": 5, "b": 7}]}]})"}};
  auto nested = [&](std::string_view key, std::string_view inner) {
    return Select(R"({"must": [{"nested": {"key": ")" + std::string(key) + R"(", "filter": )" +
                      std::string(inner) + "}}]}",
                  points);
  };
  EXPECT_THAT(nested("arr1", R"({"must": [{"key": "arr2[].a", "match": {"value": 5}}]})"),
              ElementsAre(1, 2));
  EXPECT_TRUE(nested("arr1", R"({"must": [{"key": "arr2[].a", "match": {"value": 4}}]})").empty());
  EXPECT_THAT(nested("arr1", R"({"must": [{"key": "arr2[].b", "match": {"value": 6}}]})"),
              ElementsAre(1));
  EXPECT_TRUE(nested("arr1[].arr2", R"({"must": [{"key": "b", "match": {"value": 8}}]})").empty());
  auto inner2 = [](std::string_view f) {
    return R"({"must": [{"nested": {"key": "arr2", "filter": )" + std::string(f) + "}}]}";
  };
  EXPECT_THAT(nested("arr1", inner2(R"({"must": [{"key": "a", "match": {"value": 5}}]})")),
              ElementsAre(1, 2));
  EXPECT_THAT(nested("arr1", inner2(R"({"must": [{"key": "a", "match": {"value": 5}},
                                                {"key": "b", "match": {"value": 6}}]})")),
              ElementsAre(1));
  EXPECT_THAT(nested("arr1", inner2(R"({"should": [{"key": "a", "match": {"value": 5}},
                                                  {"key": "b", "match": {"value": 6}}]})")),
              ElementsAre(1, 2));
}

TEST(FilterNested, NoIdsOrVectorsInside) {
  TestPoint p;
  p.id = PointId::Num(7);
  p.payload = J(R"({"a": [{"x": 1}]})");
  EXPECT_FALSE(
      Eval(F(R"({"must": [{"nested": {"key": "a", "filter": {"must": [{"has_id": [7]}]}}}]})"), p));
  EXPECT_FALSE(Eval(
      F(R"({"must": [{"nested": {"key": "a", "filter": {"must": [{"has_vector": ""}]}}}]})"), p));
  EXPECT_TRUE(Eval(
      F(R"({"must": [{"nested": {"key": "a", "filter": {"must_not": [{"has_id": [7]}]}}}]})"), p));
  // Only objects are considered; a scalar or a missing array matches nothing.
  EXPECT_FALSE(M(R"({"must": [{"nested": {"key": "a", "filter": {}}}]})", R"({"a": [1, 2]})"));
  EXPECT_FALSE(M(R"({"must": [{"nested": {"key": "a", "filter": {}}}]})", R"({})"));
  EXPECT_FALSE(M(R"({"must": [{"nested": {"key": "a", "filter": {}}}]})", R"({"a": {"x": 1}})"));
  EXPECT_EQ(ParseError(R"({"must": [{"nested": {"key": "a"}}]})").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError(R"({"must": [{"nested": {"key": "a", "filter": null}}]})").code(),
            StatusCode::kInvalidArgument);
}

TEST(FilterConcurrency, ParsedFilterIsReusable) {
  Filter f = F(R"({"must": [{"key": "a", "match": {"value": 1}}]})");
  Filter copy = f;  // filters are copyable values
  EXPECT_TRUE(Eval(copy, TestPoint{PointId::Num(1), J(R"({"a": 1})"), {}}));
  EXPECT_FALSE(Eval(f, TestPoint{PointId::Num(1), J(R"({"a": 2})"), {}}));
}

}  // namespace
}  // namespace quiver
