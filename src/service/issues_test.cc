#include "service/issues.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace quiver {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

Json J(const char* text) {
  StatusOr<Json> j = Json::Parse(text);
  EXPECT_TRUE(j.ok()) << text;
  return j.ok() ? *j : Json();
}

// The field_schema of each proposed solution, in order.
std::vector<std::string> Proposed(const IssueRecord& issue) {
  std::vector<std::string> out;
  auto one = [&](const Json& s) {
    out.push_back(s.Find("action")->Find("body")->Find("field_schema")->as_string());
  };
  if (const Json* i = issue.solution.Find("immediate")) one(*i);
  if (const Json* c = issue.solution.Find("immediate_choice")) {
    for (const Json& s : c->as_array()) one(s);
  }
  return out;
}

std::vector<IssueRecord> Issues(const char* filter, const char* schema = "{}") {
  return UnindexedFieldIssues("books", J(filter), J(schema), 1700000000000);
}

TEST(UnindexedFieldIssues, KeywordMatchOnAnUnindexedField) {
  auto issues = Issues(R"({"must": [{"key": "city", "match": {"value": "Berlin"}}]})");
  ASSERT_EQ(issues.size(), 1u);
  const IssueRecord& i = issues[0];
  EXPECT_EQ(i.id, "UNINDEXED_FIELD/books/city");
  EXPECT_EQ(i.description,
            "Unindexed field 'city' might be slowing queries down in collection 'books'");
  EXPECT_EQ(i.related_collection, "books");
  EXPECT_EQ(i.timestamp_ms, 1700000000000);
  const Json* immediate = i.solution.Find("immediate");
  ASSERT_NE(immediate, nullptr) << i.solution.Dump();
  EXPECT_EQ(
      immediate->Find("action")->Dump(),
      R"({"method":"PUT","uri":"/collections/books/index","headers":{"content-type":"application/json"},)"
      R"("body":{"field_name":"city","field_schema":"keyword"}})");
  EXPECT_EQ(
      immediate->Find("message")->as_string(),
      "Create an index on field 'city' of schema \"keyword\" in collection 'books'. Check the "
      "documentation for more details: "
      "https://qdrant.tech/documentation/concepts/indexing/#payload-index");
}

TEST(UnindexedFieldIssues, WhatEachConditionNeeds) {
  struct Case {
    const char* condition;
    std::vector<std::string> schemas;
  } cases[] = {
      {R"({"key": "f", "match": {"value": 3}})", {"integer"}},
      {R"({"key": "f", "match": {"value": true}})", {"bool"}},
      {R"({"key": "f", "match": {"value": "123e4567-e89b-12d3-a456-426614174000"}})", {"keyword"}},
      {R"({"key": "f", "match": {"any": ["a", "b"]}})", {"keyword"}},
      {R"({"key": "f", "match": {"except": [1, 2]}})", {"integer"}},
      {R"({"key": "f", "match": {"text": "hello"}})", {"text"}},
      {R"({"key": "f", "match": {"phrase": "hello there"}})", {"text"}},
      {R"({"key": "f", "range": {"gte": 1.5}})", {"integer", "float"}},
      {R"({"key": "f", "range": {"gt": "2024-01-01T00:00:00Z"}})", {"datetime"}},
      {R"({"key": "f", "geo_radius": {"center": {"lon": 0, "lat": 0}, "radius": 1}})", {"geo"}},
      {R"({"key": "f", "values_count": {"gt": 1}})",
       {"integer", "keyword", "float", "text", "bool", "datetime", "geo"}},
      {R"({"is_empty": {"key": "f"}})",
       {"integer", "keyword", "float", "text", "bool", "datetime", "geo"}},
  };
  for (const Case& c : cases) {
    std::string filter = std::string(R"({"must": [)") + c.condition + "]}";
    auto issues = Issues(filter.c_str());
    ASSERT_EQ(issues.size(), 1u) << c.condition;
    EXPECT_EQ(Proposed(issues[0]), c.schemas) << c.condition;
    EXPECT_EQ(issues[0].solution.Find("immediate") != nullptr, c.schemas.size() == 1)
        << c.condition;
  }
}

TEST(UnindexedFieldIssues, ConditionsThatNeedNoIndex) {
  EXPECT_THAT(Issues(R"({"must": [{"has_id": [1, 2]}, {"has_vector": "v"}]})"), IsEmpty());
  EXPECT_THAT(Issues(R"({"must": [{"key": "f", "match": {"any": []}}]})"), IsEmpty());
  EXPECT_THAT(Issues("{}"), IsEmpty());
  EXPECT_THAT(Issues("null"), IsEmpty());
  EXPECT_THAT(Issues(R"({"must": "garbage"})"), IsEmpty());
}

TEST(UnindexedFieldIssues, AnIndexWithTheRightCapabilityServes) {
  const char* schema = R"({"city": {"data_type": "keyword"}, "n": {"data_type": "integer"},
                           "lookup_only": {"data_type": "integer", "params": {"type": "integer", "lookup": true, "range": false}},
                           "t": {"data_type": "text"}})";
  EXPECT_THAT(Issues(R"({"must": [{"key": "city", "match": {"value": "x"}}]})", schema), IsEmpty());
  EXPECT_THAT(Issues(R"({"must": [{"key": "n", "range": {"lt": 3}}]})", schema), IsEmpty());
  EXPECT_THAT(Issues(R"({"must": [{"key": "n", "match": {"value": 3}}]})", schema), IsEmpty());
  EXPECT_THAT(Issues(R"({"must": [{"key": "lookup_only", "match": {"value": 3}}]})", schema),
              IsEmpty());
  EXPECT_THAT(Issues(R"({"must": [{"key": "t", "match": {"text": "x"}}]})", schema), IsEmpty());
  // The wrong kind of index does not.
  auto issues = Issues(R"({"must": [{"key": "city", "range": {"lt": 3}}]})", schema);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(Proposed(issues[0]), (std::vector<std::string>{"integer", "float"}));
  issues = Issues(R"({"must": [{"key": "lookup_only", "range": {"lt": 3}}]})", schema);
  EXPECT_EQ(issues.size(), 1u);
  issues = Issues(R"({"must": [{"key": "t", "match": {"phrase": "x y"}}]})", schema);
  EXPECT_EQ(issues.size(), 1u);  // a text index without phrase_matching
}

TEST(UnindexedFieldIssues, EveryClauseNestedFiltersAndNestedConditions) {
  auto issues = Issues(R"({
      "should": {"key": "a", "match": {"value": "x"}},
      "must_not": [{"must": [{"key": "b", "match": {"value": 1}}]}],
      "min_should": {"conditions": [{"key": "c", "match": {"value": true}}], "min_count": 1},
      "must": [{"nested": {"key": "items", "filter": {"must": [
          {"key": "price", "range": {"lt": 5}},
          {"nested": {"key": "tags", "filter": {"must": [{"key": "name", "match": {"value": "t"}}]}}}]}}}]})");
  std::vector<std::string> ids;
  for (const auto& i : issues) ids.push_back(i.id);
  EXPECT_THAT(ids, ElementsAre("UNINDEXED_FIELD/books/a", "UNINDEXED_FIELD/books/b",
                               "UNINDEXED_FIELD/books/c", "UNINDEXED_FIELD/books/items[].price",
                               "UNINDEXED_FIELD/books/items[].tags[].name"));
}

TEST(UnindexedFieldIssues, OneIssuePerFieldWithTheUnionOfNeeds) {
  auto issues = Issues(
      R"({"must": [{"key": "f", "match": {"value": 3}}, {"key": "f", "match": {"value": "x"}}]})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(Proposed(issues[0]), (std::vector<std::string>{"integer", "keyword"}));
}

TEST(UnindexedFieldIssues, CollectionNameIsPercentEncodedInTheUri) {
  auto issues = UnindexedFieldIssues(
      "my books/ü", J(R"({"must": [{"key": "f", "match": {"value": 1}}]})"), J("{}"), 0);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].solution.Find("immediate")->Find("action")->Find("uri")->as_string(),
            "/collections/my%20books%2F%C3%BC/index");
}

TEST(IssueRegistry, SubmitSolveClear) {
  IssueRegistry r;
  auto first = Issues(
      R"({"must": [{"key": "a", "match": {"value": 1}}, {"key": "b", "match": {"value": 1}}]})");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(r.Submit(first[0]));
  EXPECT_TRUE(r.Submit(first[1]));
  IssueRecord again = first[0];
  again.timestamp_ms = 5;
  EXPECT_FALSE(r.Submit(again));  // already active: the first report stays
  ASSERT_EQ(r.All().size(), 2u);
  EXPECT_EQ(r.All()[0].timestamp_ms, 1700000000000);

  IssueRecord other;
  other.id = "UNINDEXED_FIELD/other/x";
  other.related_collection = "other";
  EXPECT_TRUE(r.Submit(other));
  EXPECT_TRUE(r.Solve(UnindexedFieldIssueId("books", "a")));
  EXPECT_FALSE(r.Solve(UnindexedFieldIssueId("books", "a")));
  r.SolveCollection("books");
  ASSERT_EQ(r.All().size(), 1u);
  EXPECT_EQ(r.All()[0].id, "UNINDEXED_FIELD/other/x");
  r.Clear();
  EXPECT_THAT(r.All(), IsEmpty());
}

}  // namespace
}  // namespace quiver
