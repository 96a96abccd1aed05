#include "collection/payload_path.h"

#include "common/testing/json_literal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace quiver {
namespace {

using Kind = PayloadPath::Item::Kind;

using test_support::J;

PayloadPath P(std::string_view text) {
  StatusOr<PayloadPath> p = PayloadPath::Parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().message();
  return p.ok() ? *p : PayloadPath{};
}

std::vector<std::string> Dumps(const std::vector<const Json*>& values) {
  std::vector<std::string> out;
  for (const Json* v : values) out.push_back(v->Dump());
  return out;
}

// ---- parsing ----

TEST(PayloadPathParse, SimpleKey) {
  PayloadPath p = P("foo");
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0].kind, Kind::kKey);
  EXPECT_EQ(p.items[0].key, "foo");
}

TEST(PayloadPathParse, QdrantExample) {
  // From Qdrant's parser test: foo[1][50].bar-baz[]."qux[.]quux"
  PayloadPath p = P(R"(foo[1][50].bar-baz[]."qux[.]quux")");
  ASSERT_EQ(p.items.size(), 6u);
  EXPECT_EQ(p.items[0].key, "foo");
  EXPECT_EQ(p.items[1].kind, Kind::kIndex);
  EXPECT_EQ(p.items[1].index, 1u);
  EXPECT_EQ(p.items[2].index, 50u);
  EXPECT_EQ(p.items[3].key, "bar-baz");
  EXPECT_EQ(p.items[4].kind, Kind::kWildcard);
  EXPECT_EQ(p.items[5].key, "qux[.]quux");
}

TEST(PayloadPathParse, QuotedKeys) {
  PayloadPath p = P(R"("key.with.dots")");
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0].key, "key.with.dots");
  p = P(R"(a."b c".d)");
  ASSERT_EQ(p.items.size(), 3u);
  EXPECT_EQ(p.items[1].key, "b c");
  EXPECT_EQ(P(R"("")").items[0].key, "");  // an empty quoted key is allowed
}

TEST(PayloadPathParse, UnicodeLettersAreRawKeyChars) {
  EXPECT_EQ(P("Müesli").items[0].key, "Müesli");
  EXPECT_EQ(P("город.улица").items[1].key, "улица");
  EXPECT_EQ(P("名前").items[0].key, "名前");
  EXPECT_FALSE(PayloadPath::Parse("a\xE2\x80\x94"
                                  "b")
                   .ok());  // em dash is punctuation
  EXPECT_FALSE(PayloadPath::Parse("a\xC2\xA0"
                                  "b")
                   .ok());                                    // no-break space
  EXPECT_FALSE(PayloadPath::Parse("\xF0\x9F\x98\x80").ok());  // emoji
  EXPECT_TRUE(PayloadPath::Parse("\"\xF0\x9F\x98\x80\"").ok());
}

TEST(PayloadPathParse, Malformed) {
  for (std::string_view bad :
       {"",      ".a",           "a.",    "a..b",  "[0]",  "[]",
        "a[",    "a[x]",         "a[-1]", "a[ 1]", "a b",  "a[]b",
        "a.\"b", "a.\"b\\\"c\"", "a]",    "a[1]]", "a.b.", "a[99999999999999999999999]",
        "$a",    "a/b",          "a\"b\""}) {
    StatusOr<PayloadPath> p = PayloadPath::Parse(bad);
    EXPECT_FALSE(p.ok()) << "accepted: " << bad;
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(p.status().message(), "Invalid json path: '" + std::string(bad) + "'");
    }
  }
}

TEST(PayloadPathParse, ToStringRoundTrips) {
  for (std::string_view text : {"a", "a.b.c", "a[].b", "a[2].b", "\"key.with.dots\"", "a[0][]",
                                R"(foo[1][50].bar-baz[]."qux[.]quux")", "a.\"b c\".d", "\"\""}) {
    EXPECT_EQ(P(text).ToString(), text);
  }
}

TEST(PayloadPathParse, ArraySuffix) {
  EXPECT_EQ(P("a.b").WithArraySuffix().ToString(), "a.b[]");
  EXPECT_EQ(P("a.b[]").WithArraySuffix().ToString(), "a.b[]");
  EXPECT_EQ(P("a[0]").WithArraySuffix().ToString(), "a[0][]");
  EXPECT_TRUE(P("a[]").HasWildcardSuffix());
  EXPECT_FALSE(P("a[].b").HasWildcardSuffix());
  EXPECT_EQ(P("a.b"), P("a.b"));
  EXPECT_FALSE(P("a.b") == P("a[].b"));
}

// ---- reading ----

TEST(PayloadPathValues, NestedObjectsAndIndexes) {
  Json payload = J(R"({"a": {"b": [{"c": 1}, {"c": 2}, {"d": {"e": 3}}]}, "f": 3,
                       "g": ["g0", "g1", "g2"]})");
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("f"))), testing::ElementsAre("3"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("a.b[].c"))), testing::ElementsAre("1", "2"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("a.b[1].c"))), testing::ElementsAre("2"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("a.b[2].d.e"))), testing::ElementsAre("3"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("g[1]"))), testing::ElementsAre("\"g1\""));
  EXPECT_TRUE(RawValuesAtPath(payload, P("a.b[3]")).empty());
  EXPECT_TRUE(RawValuesAtPath(payload, P("a.b.c")).empty());  // key on an array: nothing
  EXPECT_TRUE(RawValuesAtPath(payload, P("f[0]")).empty());   // index on a scalar: nothing
  EXPECT_TRUE(RawValuesAtPath(payload, P("f.x")).empty());
}

TEST(PayloadPathValues, DeeplyNestedArraysFlattenThroughWildcards) {
  Json payload = J(R"({"arr1": [{"arr2": [{"a": 1, "b": 2}]},
                                {"arr2": [{"a": 3, "b": 4}, {"a": 5, "b": 6}]}]})");
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("arr1[].arr2[].a"))),
              testing::ElementsAre("1", "3", "5"));
}

TEST(PayloadPathValues, TrailingArraysStayRawButExpandForConditions) {
  Json payload = J(R"({"arr": [{"a": [1, 2, 3]}, {"a": 4}, {"b": 5}], "n": [[1], 2]})");
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("arr[].a"))), testing::ElementsAre("[1,2,3]", "4"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("arr[].a[]"))), testing::ElementsAre("1", "2", "3"));
  EXPECT_THAT(Dumps(ValuesAtPath(payload, P("arr[].a"))), testing::ElementsAre("1", "2", "3", "4"));
  // One level only.
  EXPECT_THAT(Dumps(ValuesAtPath(payload, P("n"))), testing::ElementsAre("[1]", "2"));
}

TEST(PayloadPathValues, NullsAndEmptyArrays) {
  // Qdrant's test_get_null_and_absent_values.
  Json payload = J(R"({"a": null, "b": [null, null], "c": []})");
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("a"))), testing::ElementsAre("null"));
  EXPECT_TRUE(RawValuesAtPath(payload, P("a[]")).empty());
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("b"))), testing::ElementsAre("[null,null]"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("b[]"))), testing::ElementsAre("null", "null"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("c"))), testing::ElementsAre("[]"));
  EXPECT_TRUE(RawValuesAtPath(payload, P("c[]")).empty());
  EXPECT_TRUE(RawValuesAtPath(payload, P("d")).empty());
  EXPECT_TRUE(RawValuesAtPath(payload, P("d[]")).empty());
  EXPECT_TRUE(ValuesAtPath(payload, P("c")).empty());
  EXPECT_THAT(Dumps(ValuesAtPath(payload, P("a"))), testing::ElementsAre("null"));
}

TEST(PayloadPathValues, QuotedKeyWithDots) {
  Json payload = J(R"({"a.b": 1, "a": {"b": 2}})");
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("\"a.b\""))), testing::ElementsAre("1"));
  EXPECT_THAT(Dumps(RawValuesAtPath(payload, P("a.b"))), testing::ElementsAre("2"));
}

TEST(PayloadPathValues, VisitorStopsEarly) {
  Json payload = J(R"({"a": [1, 2, 3]})");
  int seen = 0;
  bool stopped = VisitValuesAtPath(payload, P("a[]"), [&](const Json& v) {
    ++seen;
    return v.as_int() == 2;
  });
  EXPECT_TRUE(stopped);
  EXPECT_EQ(seen, 2);
}

// ---- set_payload with key ----

constexpr char kDoc[] = R"({"a": {"b": [{"c": 1}, {"c": 2}, {"d": {"e": 3}}]}, "f": 3,
                           "g": ["g0", "g1", "g2"]})";

TEST(PayloadPathSet, OneLevelKeyMergesIntoObject) {
  Json payload = J(kDoc);
  SetPayloadAtPath(&payload, P("a"), J(R"({"b": 5})"));
  EXPECT_EQ(payload, J(R"({"a": {"b": 5}, "f": 3, "g": ["g0", "g1", "g2"]})"));
}

TEST(PayloadPathSet, ArrayIndex) {
  Json payload = J(kDoc);
  SetPayloadAtPath(&payload, P("a.b[1]"), J(R"({"c": 5})"));
  EXPECT_EQ(payload, J(R"({"a": {"b": [{"c": 1}, {"c": 5}, {"d": {"e": 3}}]}, "f": 3,
                            "g": ["g0", "g1", "g2"]})"));
  SetPayloadAtPath(&payload, P("a.b[1]"), J("{}"));  // empty source: nothing changes
  EXPECT_EQ(payload.Find("a")->Find("b")->as_array()[1], J(R"({"c": 5})"));
}

TEST(PayloadPathSet, WildcardSetsEveryElement) {
  Json payload = J(R"({"key6": {"arraykey": [{"a1": {"a1k": "x"}}, {"a2": {"a2k": "x"}}]}})");
  SetPayloadAtPath(&payload, P("key6.arraykey[].a2"), J(R"({"a2k": "yyy"})"));
  EXPECT_EQ(payload, J(R"({"key6": {"arraykey": [{"a1": {"a1k": "x"}, "a2": {"a2k": "yyy"}},
                                                 {"a2": {"a2k": "yyy"}}]}})"));
}

TEST(PayloadPathSet, CreatesIntermediateObjects) {
  Json payload = J("{}");
  SetPayloadAtPath(&payload, P("key1.key2"), J(R"({"c": 1})"));
  EXPECT_EQ(payload, J(R"({"key1": {"key2": {"c": 1}}})"));
}

TEST(PayloadPathSet, MissingArraysAreCreatedEmptyAndNothingBelow) {
  for (std::string_view path : {"key1.key2[3]", "key1.key2[0]", "key1.key2[].key3"}) {
    Json payload = J("{}");
    SetPayloadAtPath(&payload, P(path), J(R"({"c": 1})"));
    EXPECT_EQ(payload, J(R"({"key1": {"key2": []}})")) << path;
  }
}

TEST(PayloadPathSet, ReplacesScalarsOnTheWay) {
  Json payload = J(R"({"a": 10})");
  SetPayloadAtPath(&payload, P("a.b.c"), J(R"({"x": 1})"));
  EXPECT_EQ(payload, J(R"({"a": {"b": {"c": {"x": 1}}}})"));
  // A non-array met by [] becomes an empty array.
  payload = J(R"({"a": {"x": 1}})");
  SetPayloadAtPath(&payload, P("a[]"), J(R"({"x": 1})"));
  EXPECT_EQ(payload, J(R"({"a": []})"));
}

TEST(PayloadPathSet, IdempotentAtSameKey) {
  // From Qdrant's test_payload_operations: key "key" with {"key": "xxx"} twice.
  Json payload = J("{}");
  SetPayloadAtPath(&payload, P("key"), J(R"({"key": "xxx"})"));
  SetPayloadAtPath(&payload, P("key"), J(R"({"key": "xxx"})"));
  EXPECT_EQ(payload, J(R"({"key": {"key": "xxx"}})"));
}

TEST(PayloadPathSet, NestedKeepsSiblings) {
  Json payload = J(R"({"a": {"x": 1}, "b": 1, "nested": {"a": {"x": 1}, "b": 1}})");
  SetPayloadAtPath(&payload, P("nested"), J(R"({"a": {"y": 1}})"));
  EXPECT_EQ(payload, J(R"({"a": {"x": 1}, "b": 1, "nested": {"a": {"y": 1}, "b": 1}})"));
}

TEST(PayloadPathMerge, NullRemovesAndOrderFollowsQdrant) {
  Json payload = J(R"({"a": 1, "b": 2, "c": 3, "d": 4})");
  MergePayload(&payload, J(R"({"b": null, "a": 10, "e": 5})"));
  // "b" removed by swap-remove: the last member ("d") takes its place.
  EXPECT_EQ(payload.Dump(), R"({"a":10,"d":4,"c":3,"e":5})");
  MergePayload(&payload, J(R"({"zzz": null})"));
  EXPECT_EQ(payload.Dump(), R"({"a":10,"d":4,"c":3,"e":5})");
  Json empty;
  MergePayload(&empty, J(R"({"x": 1})"));
  EXPECT_EQ(empty, J(R"({"x": 1})"));
}

// ---- delete_payload ----

TEST(PayloadPathDelete, QdrantRemoveSequence) {
  // Qdrant's test_remove_key, step by step.
  Json payload = J(R"({"a": 1, "b": {"c": 123, "e": {"f": [1, 2, 3], "g": 7, "h": "text",
                       "i": [{"j": 1, "k": 2}, {"j": 3, "k": 4}]}}})");
  auto removed = [&](std::string_view path) {
    std::vector<std::string> out;
    for (const Json& v : DeletePayloadAtPath(&payload, P(path))) out.push_back(v.Dump());
    return out;
  };
  EXPECT_THAT(removed("b.c"), testing::ElementsAre("123"));
  EXPECT_THAT(removed("b.e.i[0].j"), testing::ElementsAre("1"));
  EXPECT_THAT(removed("b.e.i[].k"), testing::ElementsAre("2", "4"));
  EXPECT_THAT(removed("b.e.i[]"), testing::ElementsAre(R"([{},{"j":3}])"));
  EXPECT_THAT(removed("b.e.i"), testing::ElementsAre("[]"));
  EXPECT_THAT(removed("b.e.f"), testing::ElementsAre("[1,2,3]"));
  EXPECT_TRUE(removed("k").empty());
  EXPECT_TRUE(removed("b.e.l").empty());
  EXPECT_THAT(removed("a"), testing::ElementsAre("1"));
  EXPECT_THAT(removed("b.e"), testing::ElementsAre(R"({"h":"text","g":7})"));  // swap-removed
  EXPECT_THAT(removed("b"), testing::ElementsAre("{}"));
  EXPECT_EQ(payload, J("{}"));
}

TEST(PayloadPathDelete, TrailingIndexRemovesNothing) {
  Json payload = J(R"({"a": [1, 2, 3]})");
  EXPECT_TRUE(DeletePayloadAtPath(&payload, P("a[1]")).empty());
  EXPECT_EQ(payload, J(R"({"a": [1, 2, 3]})"));
}

TEST(PayloadPathDelete, SwapRemoveOrder) {
  Json payload = J(R"({"a": 1, "b": 2, "c": 3})");
  DeletePayloadAtPath(&payload, P("a"));
  EXPECT_EQ(payload.Dump(), R"({"c":3,"b":2})");
}

}  // namespace
}  // namespace quiver
