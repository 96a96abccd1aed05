#include "collection/collection.h"

#include "collection/testing/filter_literal.h"
#include "common/testing/json_literal.h"

#include "common/testing/fresh_test_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

namespace quiver {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

using test_support::F;
using test_support::J;

PointId Id(std::string_view json) { return *PointId::FromJson(J(json)); }

// A point with the given vector JSON (bare or named) and payload JSON.
PointStruct P(std::string_view id, std::string_view vector, std::string_view payload = "{}") {
  PointStruct p;
  p.id = Id(id);
  StatusOr<NamedVectors> v = ParseNamedVectors(J(vector));
  EXPECT_TRUE(v.ok()) << vector;
  if (v.ok()) p.vectors = *v;
  p.payload = J(payload);
  return p;
}

UpdateOperation Upsert(std::vector<PointStruct> points) {
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kUpsert;
  op.points = std::move(points);
  return op;
}

PayloadSelector AllPayload() { return {PayloadSelector::Mode::kAll, {}}; }
VectorSelector AllVectors() { return {true, {}}; }

std::vector<std::string> IdsOf(const std::vector<PointOut>& points) {
  std::vector<std::string> ids;
  for (const PointOut& p : points) ids.push_back(p.id.ToString());
  return ids;
}

class CollectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = quiver::test_support::FreshTestDir("collection");
    OpenStore();
  }
  void TearDown() override {
    collection_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenStore() {
    StatusOr<std::unique_ptr<KvStore>> store = KvStore::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }

  // Creates the collection under test (uid 1) from a `PUT /collections` body.
  void Make(std::string_view body) {
    StatusOr<CollectionConfig> config =
        CollectionConfig::FromCreateRequest(J(body), BuiltinCollectionDefaults());
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = *config;
    collection_ = std::make_unique<Collection>(1, "test", config_, store_.get());
    ASSERT_TRUE(collection_->Load().ok());
  }

  // A fresh Collection object over the same store, as after a restart.
  std::unique_ptr<Collection> Reload(uint64_t uid = 1) {
    auto c = std::make_unique<Collection>(uid, "test", config_, store_.get());
    Status s = c->Load();
    EXPECT_TRUE(s.ok()) << s.message();
    return c;
  }

  UpdateResult Apply(std::vector<UpdateOperation> ops) {
    StatusOr<UpdateResult> r = collection_->Apply(ops, true);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : UpdateResult{};
  }

  Status ApplyError(std::vector<UpdateOperation> ops) {
    StatusOr<UpdateResult> r = collection_->Apply(ops, true);
    EXPECT_FALSE(r.ok()) << "applied";
    return r.ok() ? Status() : r.status();
  }

  std::vector<PointOut> Get(const Collection& c, std::vector<PointId> ids) {
    StatusOr<std::vector<PointOut>> r = c.Retrieve(ids, AllPayload(), AllVectors());
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<PointOut>{};
  }
  std::vector<PointOut> Get(std::vector<PointId> ids) { return Get(*collection_, std::move(ids)); }

  // payload and vector of one point as JSON text, "" when absent.
  std::string PayloadOf(std::string_view id) {
    auto points = Get({Id(id)});
    return points.empty() ? "" : points[0].payload->Dump();
  }
  std::string VectorOf(std::string_view id) {
    auto points = Get({Id(id)});
    return points.empty() ? "" : points[0].vector->Dump();
  }

  std::vector<PointOut> Search(const std::vector<float>& q, size_t limit = 10,
                               std::string using_vector = "") {
    QueryRequest req;
    req.query.kind = QueryPlan::Kind::kNearest;
    req.query.nearest.vector = VectorValue(DenseVector(q));
    req.using_vector = std::move(using_vector);
    req.limit = limit;
    StatusOr<std::vector<PointOut>> r = collection_->Query(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<PointOut>{};
  }

  std::vector<std::string> ScrollIds(const Collection& c, const std::optional<Filter>& filter,
                                     size_t limit = 100,
                                     std::optional<PointId> offset = std::nullopt,
                                     std::optional<PointId>* next = nullptr) {
    StatusOr<ScrollResult> r =
        c.Scroll(filter, limit, offset, std::nullopt, AllPayload(), VectorSelector{});
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return {};
    if (next) *next = r->next_page_offset;
    return IdsOf(r->points);
  }

  std::filesystem::path dir_;
  std::unique_ptr<KvStore> store_;
  CollectionConfig config_;
  std::unique_ptr<Collection> collection_;
};

TEST_F(CollectionTest, UpsertAndRetrieve) {
  Make(R"({"vectors": {"size": 3, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1, 2, 3]", R"({"city": "Berlin", "n": 1})"),
                 P("2", "[4, 5, 6]", R"({"city": "Paris", "tags": ["a", "b"]})"),
                 P(R"("550e8400-e29b-41d4-a716-446655440000")", "[0.5, 0, -1]")})});
  EXPECT_EQ(collection_->Count(std::nullopt), 3u);

  // Request order, duplicates once, missing ids skipped.
  auto points = Get({Id("2"), Id("1"), Id("99"), Id("1")});
  EXPECT_THAT(IdsOf(points), ElementsAre("2", "1"));
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].payload->Dump(), R"({"city":"Paris","tags":["a","b"]})");
  EXPECT_EQ(points[0].vector->Dump(), "[4.0,5.0,6.0]");
  EXPECT_EQ(points[1].payload->Dump(), R"({"city":"Berlin","n":1})");
  EXPECT_EQ(VectorOf(R"("550e8400-e29b-41d4-a716-446655440000")"), "[0.5,0.0,-1.0]");
  EXPECT_EQ(PayloadOf(R"("550E8400E29B41D4A716446655440000")"), "{}");

  // Without selectors nothing but the id comes back.
  StatusOr<std::vector<PointOut>> bare =
      collection_->Retrieve({Id("1")}, PayloadSelector{}, VectorSelector{});
  ASSERT_TRUE(bare.ok());
  ASSERT_EQ(bare->size(), 1u);
  EXPECT_FALSE((*bare)[0].payload.has_value());
  EXPECT_FALSE((*bare)[0].vector.has_value());

  // Upsert replaces the whole point.
  Apply({Upsert({P("1", "[7, 8, 9]", R"({"other": true})")})});
  EXPECT_EQ(PayloadOf("1"), R"({"other":true})");
  EXPECT_EQ(VectorOf("1"), "[7.0,8.0,9.0]");
  EXPECT_EQ(collection_->Count(std::nullopt), 3u);
}

TEST_F(CollectionTest, DuplicateIdsInOneUpsertLastWins) {
  Make(R"({"vectors": {"size": 1, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1]", R"({"v": "first"})"), P("1", "[2]", R"({"v": "second"})")})});
  EXPECT_EQ(collection_->Count(std::nullopt), 1u);
  EXPECT_EQ(PayloadOf("1"), R"({"v":"second"})");
  EXPECT_EQ(VectorOf("1"), "[2.0]");
  EXPECT_EQ(Get(*Reload(), {Id("1")})[0].payload->Dump(), R"({"v":"second"})");
}

TEST_F(CollectionTest, OperationIdsIncrease) {
  Make(R"({"vectors": {"size": 1, "distance": "Dot"}})");
  UpdateResult a = Apply({Upsert({P("1", "[1]")})});
  UpdateResult b = Apply({Upsert({P("2", "[1]")})});
  EXPECT_LT(a.operation_id, b.operation_id);
  EXPECT_TRUE(b.completed);
  StatusOr<UpdateResult> c = collection_->Apply({Upsert({P("3", "[1]")})}, false);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->completed);
  EXPECT_LT(b.operation_id, c->operation_id);
}

TEST_F(CollectionTest, CosineVectorsAreNormalised) {
  Make(R"({"vectors": {"size": 2, "distance": "Cosine"}})");
  Apply({Upsert({P("1", "[3, 4]"), P("2", "[0, -10]")})});
  EXPECT_EQ(VectorOf("1"), "[0.6,0.8]");
  EXPECT_EQ(VectorOf("2"), "[0.0,-1.0]");
  StatusOr<VectorValue> v = collection_->GetVector(Id("1"), "");
  ASSERT_TRUE(v.ok());
  const auto& d = std::get<DenseVector>(*v);
  EXPECT_NEAR(d[0], 0.6f, 1e-6);
  EXPECT_NEAR(d[1], 0.8f, 1e-6);
}

TEST_F(CollectionTest, NonCosineVectorsAreStoredAsGiven) {
  Make(R"({"vectors": {"size": 2, "distance": "Euclid"}})");
  Apply({Upsert({P("1", "[3, 4]")})});
  EXPECT_EQ(VectorOf("1"), "[3.0,4.0]");
}

TEST_F(CollectionTest, DotScores) {
  Make(R"({"vectors": {"size": 2, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1, 0]"), P("2", "[0, 1]"), P("3", "[1, 1]")})});
  auto hits = Search({2, 1});
  EXPECT_THAT(IdsOf(hits), ElementsAre("3", "1", "2"));
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_FLOAT_EQ(*hits[0].score, 3.0f);
  EXPECT_FLOAT_EQ(*hits[1].score, 2.0f);
  EXPECT_FLOAT_EQ(*hits[2].score, 1.0f);
  EXPECT_THAT(IdsOf(Search({2, 1}, 2)), ElementsAre("3", "1"));
}

TEST_F(CollectionTest, CosineScores) {
  Make(R"({"vectors": {"size": 2, "distance": "Cosine"}})");
  Apply({Upsert({P("1", "[1, 0]"), P("2", "[0, 5]"), P("3", "[2, 2]"), P("4", "[-3, 0]")})});
  auto hits = Search({10, 0});  // the query is normalised too
  EXPECT_THAT(IdsOf(hits), ElementsAre("1", "3", "2", "4"));
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_NEAR(*hits[0].score, 1.0f, 1e-6);
  EXPECT_NEAR(*hits[1].score, 0.70710677f, 1e-6);
  EXPECT_NEAR(*hits[2].score, 0.0f, 1e-6);
  EXPECT_NEAR(*hits[3].score, -1.0f, 1e-6);
}

TEST_F(CollectionTest, EuclidScoresAreDistancesAscending) {
  Make(R"({"vectors": {"size": 2, "distance": "Euclid"}})");
  Apply({Upsert({P("1", "[0, 0]"), P("2", "[3, 4]"), P("3", "[1, 1]"), P("4", "[-6, -8]")})});
  auto hits = Search({0, 0});
  EXPECT_THAT(IdsOf(hits), ElementsAre("1", "3", "2", "4"));
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_NEAR(*hits[0].score, 0.0f, 1e-6);
  EXPECT_NEAR(*hits[1].score, 1.4142135f, 1e-5);
  EXPECT_NEAR(*hits[2].score, 5.0f, 1e-5);
  EXPECT_NEAR(*hits[3].score, 10.0f, 1e-5);
  auto from_far = Search({3, 4}, 2);
  EXPECT_THAT(IdsOf(from_far), ElementsAre("2", "3"));
  EXPECT_NEAR(*from_far[1].score, std::sqrt(13.0f), 1e-5);
}

TEST_F(CollectionTest, ManhattanScoresAreDistancesAscending) {
  Make(R"({"vectors": {"size": 2, "distance": "Manhattan"}})");
  Apply({Upsert({P("1", "[1, 2]"), P("2", "[4, 6]"), P("3", "[0, 0]")})});
  auto hits = Search({1, 1});
  EXPECT_THAT(IdsOf(hits), ElementsAre("1", "3", "2"));
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_FLOAT_EQ(*hits[0].score, 1.0f);
  EXPECT_FLOAT_EQ(*hits[1].score, 2.0f);
  EXPECT_FLOAT_EQ(*hits[2].score, 8.0f);
}

TEST_F(CollectionTest, SearchWithWrongDimensionIsAnError) {
  Make(R"({"vectors": {"size": 2, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1, 0]")})});
  QueryRequest req;
  req.query.kind = QueryPlan::Kind::kNearest;
  req.query.nearest.vector = VectorValue(DenseVector{1, 2, 3});
  StatusOr<std::vector<PointOut>> r = collection_->Query(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("expected dim: 2, got 3"));
}

class FilteredCollectionTest : public CollectionTest {
 protected:
  void SetUp() override {
    CollectionTest::SetUp();
    Make(R"({"vectors": {"size": 1, "distance": "Dot"}})");
    std::vector<PointStruct> points;
    for (int i = 1; i <= 8; ++i) {
      points.push_back(P(std::to_string(i), "[1]",
                         std::string(R"({"color": ")") + (i % 2 ? "red" : "blue") +
                             R"(", "n": )" + std::to_string(i) + "}"));
    }
    points.push_back(P(R"("00000000-0000-0000-0000-000000000001")", "[1]", R"({"color": "red"})"));
    Apply({Upsert(std::move(points))});
  }
};

TEST_F(FilteredCollectionTest, CountWithFilters) {
  EXPECT_EQ(collection_->Count(std::nullopt), 9u);
  EXPECT_EQ(collection_->Count(F(R"({"must": [{"key": "color", "match": {"value": "red"}}]})")), 5u);
  EXPECT_EQ(collection_->Count(F(R"({"must": [{"key": "n", "range": {"gte": 3, "lt": 7}}]})")),
            4u);
  EXPECT_EQ(collection_->Count(F(R"({"must_not": [{"key": "color", "match": {"value": "red"}}]})")),
            4u);
  EXPECT_EQ(collection_->Count(F(R"({"must": [{"has_id": [1, 2, 100]}]})")), 2u);
  EXPECT_EQ(collection_->Count(F(R"({"must": [{"key": "missing", "match": {"value": 1}}]})")), 0u);
  EXPECT_EQ(collection_->Count(F("{}")), 9u);
}

TEST_F(FilteredCollectionTest, ScrollWithFiltersAndPages) {
  Filter red = F(R"({"must": [{"key": "color", "match": {"value": "red"}}]})");
  EXPECT_THAT(ScrollIds(*collection_, red),
              ElementsAre("1", "3", "5", "7", "00000000-0000-0000-0000-000000000001"));

  std::optional<PointId> next;
  EXPECT_THAT(ScrollIds(*collection_, red, 2, std::nullopt, &next), ElementsAre("1", "3"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->ToString(), "5");
  EXPECT_THAT(ScrollIds(*collection_, red, 2, next, &next), ElementsAre("5", "7"));
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(next->is_uuid);
  EXPECT_THAT(ScrollIds(*collection_, red, 2, next, &next),
              ElementsAre("00000000-0000-0000-0000-000000000001"));
  EXPECT_FALSE(next.has_value());

  // All points, ints before uuids.
  EXPECT_THAT(ScrollIds(*collection_, std::nullopt),
              ElementsAre("1", "2", "3", "4", "5", "6", "7", "8",
                          "00000000-0000-0000-0000-000000000001"));
  EXPECT_THAT(ScrollIds(*collection_, F(R"({"must": [{"key": "n", "range": {"gt": 6}}]})")),
              ElementsAre("7", "8"));
  // Exactly `limit` matches: no next page.
  EXPECT_THAT(ScrollIds(*collection_, F(R"({"must": [{"key": "n", "range": {"gt": 6}}]})"), 2,
                        std::nullopt, &next),
              ElementsAre("7", "8"));
  EXPECT_FALSE(next.has_value());
}

TEST_F(FilteredCollectionTest, SearchWithFilter) {
  QueryRequest req;
  req.query.kind = QueryPlan::Kind::kNearest;
  req.query.nearest.vector = VectorValue(DenseVector{1});
  req.filter = F(R"({"must": [{"key": "color", "match": {"value": "blue"}}]})");
  StatusOr<std::vector<PointOut>> r = collection_->Query(req);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(IdsOf(*r), ElementsAre("2", "4", "6", "8"));
}

TEST_F(FilteredCollectionTest, DeleteByFilter) {
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePoints;
  del.selector.filter = F(R"({"must": [{"key": "color", "match": {"value": "red"}}]})");
  Apply({del});
  EXPECT_EQ(collection_->Count(std::nullopt), 4u);
  EXPECT_THAT(ScrollIds(*collection_, std::nullopt), ElementsAre("2", "4", "6", "8"));
  EXPECT_TRUE(Get({Id("1"), Id(R"("00000000-0000-0000-0000-000000000001")")}).empty());
  EXPECT_TRUE(Search({1}).size() == 4u);
  // Durable.
  auto reloaded = Reload();
  EXPECT_EQ(reloaded->Count(std::nullopt), 4u);
  EXPECT_THAT(ScrollIds(*reloaded, std::nullopt), ElementsAre("2", "4", "6", "8"));
}

TEST_F(FilteredCollectionTest, DeleteByIdsAndReinsert) {
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePoints;
  del.selector.ids = {Id("1"), Id("2"), Id("12345")};  // a missing id is ignored
  Apply({del});
  EXPECT_EQ(collection_->Count(std::nullopt), 7u);
  // Delete and re-create the same id in one batch: the re-created point survives a reload.
  UpdateOperation del3;
  del3.kind = UpdateOperation::Kind::kDeletePoints;
  del3.selector.ids = {Id("3")};
  Apply({del3, Upsert({P("3", "[2]", R"({"again": 1})"), P("1", "[3]")})});
  EXPECT_EQ(PayloadOf("3"), R"({"again":1})");
  EXPECT_EQ(collection_->Count(std::nullopt), 8u);
  auto reloaded = Reload();
  EXPECT_EQ(reloaded->Count(std::nullopt), 8u);
  auto points = Get(*reloaded, {Id("3"), Id("1"), Id("2")});
  EXPECT_THAT(IdsOf(points), ElementsAre("3", "1"));
  EXPECT_EQ(points[0].payload->Dump(), R"({"again":1})");
  EXPECT_EQ(points[1].vector->Dump(), "[3.0]");
}

TEST_F(CollectionTest, SetPayloadWithKey) {
  Make(R"({"vectors": {"size": 1, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1]", R"({"a": {"b": 1}, "z": 0})"), P("2", "[1]", R"({"z": 0})")})});
  UpdateOperation set;
  set.kind = UpdateOperation::Kind::kSetPayload;
  set.selector.ids = {Id("1"), Id("2")};
  set.payload = J(R"({"c": 2})");
  set.key = *PayloadPath::Parse("a");
  Apply({set});
  EXPECT_EQ(PayloadOf("1"), R"({"a":{"b":1,"c":2},"z":0})");
  EXPECT_EQ(PayloadOf("2"), R"({"z":0,"a":{"c":2}})");  // missing key created as an object

  set.key = *PayloadPath::Parse("a.deep");
  set.payload = J(R"({"x": [1]})");
  set.selector.ids = {Id("1")};
  Apply({set});
  EXPECT_EQ(PayloadOf("1"), R"({"a":{"b":1,"c":2,"deep":{"x":[1]}},"z":0})");

  // Durable.
  auto reloaded = Reload();
  EXPECT_EQ(Get(*reloaded, {Id("1")})[0].payload->Dump(),
            R"({"a":{"b":1,"c":2,"deep":{"x":[1]}},"z":0})");
}

TEST_F(CollectionTest, SetOverwriteDeleteClearPayload) {
  Make(R"({"vectors": {"size": 1, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1]", R"({"a": 1, "b": 2})")})});
  UpdateOperation set;
  set.kind = UpdateOperation::Kind::kSetPayload;
  set.selector.ids = {Id("1")};
  set.payload = J(R"({"b": 3, "c": 4})");
  Apply({set});
  EXPECT_EQ(PayloadOf("1"), R"({"a":1,"b":3,"c":4})");

  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePayload;
  del.selector.ids = {Id("1")};
  del.keys = {*PayloadPath::Parse("a"), *PayloadPath::Parse("missing")};
  Apply({del});
  EXPECT_EQ(PayloadOf("1"), R"({"c":4,"b":3})");  // swap_remove order, as Qdrant

  UpdateOperation overwrite;
  overwrite.kind = UpdateOperation::Kind::kOverwritePayload;
  overwrite.selector.ids = {Id("1")};
  overwrite.payload = J(R"({"only": true})");
  Apply({overwrite});
  EXPECT_EQ(PayloadOf("1"), R"({"only":true})");

  UpdateOperation clear;
  clear.kind = UpdateOperation::Kind::kClearPayload;
  clear.selector.ids = {Id("1")};
  Apply({clear});
  EXPECT_EQ(PayloadOf("1"), "{}");
  EXPECT_EQ(VectorOf("1"), "[1.0]");  // vectors untouched
}

// Qdrant's set_payload merges with `merge_map`: a member whose new value is null is removed.
TEST_F(CollectionTest, SetPayloadNullRemovesKey) {
  Make(R"({"vectors": {"size": 1, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1]", R"({"a": 1, "b": 2, "c": 3})")})});
  UpdateOperation set;
  set.kind = UpdateOperation::Kind::kSetPayload;
  set.selector.ids = {Id("1")};
  set.payload = J(R"({"a": null, "d": 4})");
  Apply({set});
  EXPECT_EQ(PayloadOf("1"), R"({"c":3,"b":2,"d":4})");
}

TEST_F(CollectionTest, SetPayloadByFilter) {
  Make(R"({"vectors": {"size": 1, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1]", R"({"k": "x"})"), P("2", "[1]", R"({"k": "y"})")})});
  UpdateOperation set;
  set.kind = UpdateOperation::Kind::kSetPayload;
  set.selector.filter = F(R"({"must": [{"key": "k", "match": {"value": "y"}}]})");
  set.payload = J(R"({"hit": true})");
  Apply({set});
  EXPECT_EQ(PayloadOf("1"), R"({"k":"x"})");
  EXPECT_EQ(PayloadOf("2"), R"({"k":"y","hit":true})");
}

TEST_F(CollectionTest, BatchValidationFailureChangesNothing) {
  Make(R"({"vectors": {"size": 2, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1, 1]", R"({"v": 1})")})});

  UpdateOperation set;
  set.kind = UpdateOperation::Kind::kSetPayload;
  set.selector.ids = {Id("1")};
  set.payload = J(R"({"v": 2})");
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePoints;
  del.selector.ids = {Id("1")};

  // The invalid operation comes last: the earlier ones must not be applied either.
  Status s = ApplyError({Upsert({P("10", "[2, 2]")}), set, del, Upsert({P("11", "[1, 2, 3]")})});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Vector dimension error: expected dim: 2, got 3"));

  // A bad point inside one upsert: none of its points land.
  s = ApplyError({Upsert({P("12", "[2, 2]"), P("13", R"({"nope": [1, 2]})")})});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Not existing vector name error: nope"));

  // A non-object payload for set_payload.
  UpdateOperation bad_set = set;
  bad_set.payload = J("[1]");
  s = ApplyError({Upsert({P("14", "[2, 2]")}), bad_set});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);

  // delete_vectors of an unknown vector.
  UpdateOperation bad_delete_vectors;
  bad_delete_vectors.kind = UpdateOperation::Kind::kDeleteVectors;
  bad_delete_vectors.selector.ids = {Id("1")};
  bad_delete_vectors.vector_names = {"unknown"};
  s = ApplyError({del, bad_delete_vectors});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);

  auto check = [&](const Collection& c) {
    EXPECT_EQ(c.Count(std::nullopt), 1u);
    auto points = Get(c, {Id("1"), Id("10"), Id("11"), Id("12"), Id("13"), Id("14")});
    EXPECT_THAT(IdsOf(points), ElementsAre("1"));
    if (!points.empty()) {
      EXPECT_EQ(points[0].payload->Dump(), R"({"v":1})");
      EXPECT_EQ(points[0].vector->Dump(), "[1.0,1.0]");
    }
  };
  check(*collection_);
  check(*Reload());  // nothing reached the store either
}

TEST_F(CollectionTest, ReloadFromStoreGivesSamePoints) {
  Make(R"({"vectors": {"dense": {"size": 2, "distance": "Cosine"},
                       "multi": {"size": 2, "distance": "Dot",
                                 "multivector_config": {"comparator": "max_sim"}}},
           "sparse_vectors": {"sp": {}}})");
  Apply({Upsert({
      P("1", R"({"dense": [3, 4], "multi": [[1, 2], [3, 4]], "sp": {"indices": [5, 1], "values": [0.5, 0.25]}})",
        R"({"z": 1, "a": {"nested": [1, 2.5, "s"]}})"),
      P("2", R"({"dense": [1, 0]})", R"({"only": "dense"})"),
      P(R"("550e8400-e29b-41d4-a716-446655440000")", R"({"sp": {"indices": [7], "values": [1]}})"),
      P("3", R"({"dense": [0, 1]})"),
  })});
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePoints;
  del.selector.ids = {Id("3")};
  UpdateOperation set;
  set.kind = UpdateOperation::Kind::kSetPayload;
  set.selector.ids = {Id("2")};
  set.payload = J(R"({"added": [true]})");
  UpdateResult last = Apply({del, set});

  auto before = Get({Id("1"), Id("2"), Id(R"("550e8400-e29b-41d4-a716-446655440000")"), Id("3")});
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(before[0].vector->Dump(),
            R"({"dense":[0.6,0.8],"multi":[[1.0,2.0],[3.0,4.0]],"sp":{"indices":[1,5],"values":[0.25,0.5]}})");

  auto check = [&](const Collection& c) {
    EXPECT_EQ(c.Count(std::nullopt), 3u);
    auto after = Get(c, {Id("1"), Id("2"), Id(R"("550e8400-e29b-41d4-a716-446655440000")"), Id("3")});
    ASSERT_EQ(after.size(), before.size());
    for (size_t i = 0; i < after.size(); ++i) {
      EXPECT_EQ(after[i].id, before[i].id);
      EXPECT_EQ(after[i].payload->Dump(), before[i].payload->Dump()) << i;
      EXPECT_EQ(after[i].vector->Dump(), before[i].vector->Dump()) << i;
      EXPECT_EQ(after[i].version, before[i].version) << i;
    }
  };
  auto reloaded = Reload();
  check(*reloaded);

  // New operations after a reload get larger ids than any before it.
  StatusOr<UpdateResult> next = reloaded->Apply({Upsert({P("9", R"({"dense": [1, 1]})")})}, true);
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->operation_id, last.operation_id);

  // Reopen the store itself too: the writes are on disk.
  collection_.reset();
  reloaded.reset();
  store_.reset();
  OpenStore();
  auto reopened = Reload();
  EXPECT_EQ(reopened->Count(std::nullopt), 4u);
  UpdateOperation del9;
  del9.kind = UpdateOperation::Kind::kDeletePoints;
  del9.selector.ids = {Id("9")};
  ASSERT_TRUE(reopened->Apply({del9}, true).ok());
  check(*reopened);

  // Another uid in the same store sees none of these points.
  EXPECT_EQ(Reload(2)->Count(std::nullopt), 0u);
}

TEST_F(CollectionTest, UpdateVectorsOnMissingPointIsNotFound) {
  Make(R"({"vectors": {"a": {"size": 2, "distance": "Dot"}, "b": {"size": 1, "distance": "Dot"}}})");
  Apply({Upsert({P("1", R"({"a": [1, 2], "b": [3]})")})});
  UpdateOperation update;
  update.kind = UpdateOperation::Kind::kUpdateVectors;
  update.points = {P("42", R"({"a": [5, 5]})")};
  Status s = ApplyError({update});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("42"));
  EXPECT_TRUE(Get({Id("42")}).empty());

  // Mixed with an existing point: nothing is changed.
  update.points = {P("1", R"({"a": [9, 9]})"), P("42", R"({"a": [5, 5]})")};
  EXPECT_EQ(ApplyError({update}).code(), StatusCode::kNotFound);
  EXPECT_EQ(VectorOf("1"), R"({"a":[1.0,2.0],"b":[3.0]})");

  // On an existing point only the named vectors change.
  update.points = {P("1", R"({"a": [9, 9]})")};
  Apply({update});
  EXPECT_EQ(VectorOf("1"), R"({"a":[9.0,9.0],"b":[3.0]})");

  // A point upserted earlier in the same batch may be updated.
  update.points = {P("7", R"({"b": [8]})")};
  Apply({Upsert({P("7", R"({"a": [1, 1]})")}), update});
  EXPECT_EQ(VectorOf("7"), R"({"a":[1.0,1.0],"b":[8.0]})");
}

TEST_F(CollectionTest, DeleteVectors) {
  Make(R"({"vectors": {"a": {"size": 1, "distance": "Dot"}, "b": {"size": 1, "distance": "Dot"}}})");
  Apply({Upsert({P("1", R"({"a": [1], "b": [2]})")})});
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeleteVectors;
  del.selector.ids = {Id("1")};
  del.vector_names = {"a"};
  Apply({del});
  EXPECT_EQ(VectorOf("1"), R"({"b":[2.0]})");
  EXPECT_EQ(collection_->Count(F(R"({"must": [{"has_vector": "a"}]})")), 0u);
  EXPECT_EQ(collection_->Count(F(R"({"must": [{"has_vector": "b"}]})")), 1u);
  EXPECT_EQ(Get(*Reload(), {Id("1")})[0].vector->Dump(), R"({"b":[2.0]})");
}

TEST_F(CollectionTest, InfoReportsPointsAndConfig) {
  Make(R"({"vectors": {"size": 2, "distance": "Dot"}})");
  Apply({Upsert({P("1", "[1, 2]"), P("2", "[3, 4]")})});
  Json info = collection_->Info();
  EXPECT_EQ(info.Find("status")->as_string(), "green");
  EXPECT_EQ(info.Find("points_count")->as_int(), 2);
  EXPECT_EQ(info.Find("config")->Dump(), config_.ToInfoJson().Dump());
}

}  // namespace
}  // namespace quiver
