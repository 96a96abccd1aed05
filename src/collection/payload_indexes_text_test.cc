// Text conditions on a field with a full-text index follow Qdrant's token rules (as its
// tests/openapi/test_fts.py checks); without the index they are substring searches.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "collection/collection.h"
#include "common/testing/fresh_test_dir.h"
#include "common/testing/json_literal.h"

namespace quiver {
namespace {

using test_support::J;
using testing::ElementsAre;
using testing::UnorderedElementsAre;

const char* kTitles[] = {
    "The Last Question",       "Question of the Last Trump", "Little Lost Robot", "Robot Dreams",
    "Robot AL-76 Goes Astray", "The Portable Star",          "Star Light",        "Mirror Image",
    "Robotics Are Nice",  // "robotics": not the token "robot"
    "Day of the Hunters"};

class TextIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDir("text-index");
    store_ = std::move(KvStore::Open(dir_.string())).value();
    auto config = CollectionConfig::FromCreateRequest(
        J(R"({"vectors": {"size": 1, "distance": "Dot"}})"), BuiltinCollectionDefaults());
    c_ = std::make_unique<Collection>(1, "t", *config, store_.get());
    ASSERT_TRUE(c_->Load().ok());
    UpdateOperation op;
    op.kind = UpdateOperation::Kind::kUpsert;
    uint64_t id = 0;
    for (const char* title : kTitles) {
      PointStruct p;
      p.id = PointId::Num(id++);
      p.vectors = {{"", VectorValue(DenseVector{1})}};
      p.payload = Json(
          Json::Object{{"title", Json(title)},
                       {"items", Json(Json::Array{Json(Json::Object{{"title", Json(title)}})})}});
      op.points.push_back(std::move(p));
    }
    ASSERT_TRUE(c_->Apply({op}, true).ok());
  }
  void TearDown() override {
    c_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> Titles(const char* filter) {
    auto f = ParseFilter(J(filter));
    EXPECT_TRUE(f.ok()) << f.status().message();
    auto r = c_->Scroll(*f, 100, std::nullopt, std::nullopt,
                        PayloadSelector{PayloadSelector::Mode::kAll, {}}, VectorSelector{});
    EXPECT_TRUE(r.ok());
    std::vector<std::string> out;
    for (const PointOut& p : r->points) out.push_back(p.payload->Find("title")->as_string());
    return out;
  }

  Status Index(const char* field, const char* schema) {
    return c_->CreatePayloadIndex(field, J(schema));
  }

  std::filesystem::path dir_;
  std::unique_ptr<KvStore> store_;
  std::unique_ptr<Collection> c_;
};

TEST_F(TextIndexTest, WordTokensInsteadOfSubstrings) {
  const char* robot = R"({"must": [{"key": "title", "match": {"text": "Robot"}}]})";
  // Without an index: a case-sensitive substring.
  EXPECT_THAT(Titles(robot), ElementsAre("Little Lost Robot", "Robot Dreams",
                                         "Robot AL-76 Goes Astray", "Robotics Are Nice"));
  ASSERT_TRUE(Index("title", R"({"data_type": "text"})").ok());
  EXPECT_THAT(Titles(robot),
              ElementsAre("Little Lost Robot", "Robot Dreams", "Robot AL-76 Goes Astray"));
  // Every query token, in any order; a phrase keeps the order.
  EXPECT_THAT(Titles(R"({"must": [{"key": "title", "match": {"text": "last QUESTION"}}]})"),
              ElementsAre("The Last Question", "Question of the Last Trump"));
  EXPECT_THAT(Titles(R"({"must": [{"key": "title", "match": {"phrase": "last question"}}]})"),
              ElementsAre("The Last Question"));
  EXPECT_THAT(Titles(R"({"must": [{"key": "title", "match": {"text": "last unicorn"}}]})"),
              ElementsAre());
  EXPECT_THAT(Titles(R"({"must": [{"key": "title", "match": {"text": " - "}}]})"), ElementsAre());
  // Other conditions on the field are unchanged (exact string).
  EXPECT_THAT(Titles(R"({"must": [{"key": "title", "match": {"value": "Star Light"}}]})"),
              ElementsAre("Star Light"));
  // Dropping the index restores substring matching.
  ASSERT_TRUE(c_->DeletePayloadIndex("title").ok());
  EXPECT_EQ(Titles(robot).size(), 4u);
}

// test_fts.py::test_match_any: with english stopwords, text_any "robot of the star" is the union of
// text "robot" and text "star".
TEST_F(TextIndexTest, TextAnyWithStopwordsIsTheUnionOfItsTokens) {
  ASSERT_TRUE(Index("title", R"({"data_type": "text", "params": {"type": "text",
                      "tokenizer": "word", "lowercase": true, "stopwords": "english"}})")
                  .ok());
  auto any = Titles(R"({"must": {"key": "title", "match": {"text_any": "robot of the star"}}})");
  auto split = Titles(R"({"should": [{"key": "title", "match": {"text": "robot"}},
                                     {"key": "title", "match": {"text": "star"}}]})");
  EXPECT_EQ(any, split);
  EXPECT_THAT(any,
              UnorderedElementsAre("Little Lost Robot", "Robot Dreams", "Robot AL-76 Goes Astray",
                                   "The Portable Star", "Star Light"));
}

// test_fts.py::test_scroll_with_prefix: a prefix index finds "ROBO" in three titles.
TEST_F(TextIndexTest, PrefixTokenizer) {
  const char* robo = R"({"should": [{"key": "title", "match": {"text": "ROBO"}}]})";
  EXPECT_THAT(Titles(robo), ElementsAre());  // substring, case-sensitive
  ASSERT_TRUE(Index("title", R"({"data_type": "text", "params": {"type": "text",
                                   "tokenizer": "prefix"}})")
                  .ok());
  EXPECT_THAT(Titles(robo), ElementsAre("Little Lost Robot", "Robot Dreams",
                                        "Robot AL-76 Goes Astray", "Robotics Are Nice"));
  QueryRequest q;
  q.query.kind = QueryPlan::Kind::kNearest;
  q.query.nearest.vector = VectorValue(DenseVector{1});
  q.filter = *ParseFilter(J(robo));
  auto r = c_->Query(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 4u);
}

TEST_F(TextIndexTest, NestedConditionsUseTheIndexOfTheFullPath) {
  const char* nested = R"({"must": [{"nested": {"key": "items", "filter": {
                            "must": [{"key": "title", "match": {"text": "robot"}}]}}}]})";
  EXPECT_THAT(Titles(nested),
              ElementsAre());  // substring "robot" is in no title
  ASSERT_TRUE(Index("items[].title", R"({"data_type": "text"})").ok());
  EXPECT_THAT(Titles(nested),
              ElementsAre("Little Lost Robot", "Robot Dreams", "Robot AL-76 Goes Astray"));
}

TEST_F(TextIndexTest, UnsupportedParamsAreRefusedAndNotPersisted) {
  Status s = Index("title", R"({"data_type": "text", "params": {"type": "text",
                                  "stemmer": {"type": "snowball", "language": "english"}}})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c_->Info().Find("payload_schema")->size(), 0u);
  auto reloaded = std::make_unique<Collection>(1, "t", c_->config(), store_.get());
  ASSERT_TRUE(reloaded->Load().ok());
  EXPECT_EQ(reloaded->Info().Find("payload_schema")->size(), 0u);
}

}  // namespace
}  // namespace quiver
