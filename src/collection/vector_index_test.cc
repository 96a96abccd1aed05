// HNSW segments inside a collection: recall against the exact scan, writes after a build, the
// planner, indexed_only, restart from the files, damaged files rebuilt, vacuum after deletions, a
// zero threshold, files of a dropped collection removed. The background optimizer is paused; the
// tests run builds themselves.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "collection/collection.h"
#include "collection/optimizer.h"
#include "common/testing/fresh_test_dir.h"
#include "common/testing/json_literal.h"
#include "common/worker_pool.h"

namespace quiver {
namespace {

using test_support::J;

constexpr size_t kDim = 16;

class VectorIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Optimizer::Instance().SetPaused(true);
    dir_ = test_support::FreshTestDir("vector-index");
    store_ = std::move(KvStore::Open((dir_ / "db").string())).value();
    config_ = *CollectionConfig::FromCreateRequest(J(R"({
        "vectors": {"size": 16, "distance": "Cosine"},
        "hnsw_config": {"m": 16, "ef_construct": 64, "full_scan_threshold": 10},
        "optimizers_config": {"indexing_threshold": 1}})"),
                                                   BuiltinCollectionDefaults());
    c_ = Open();
  }
  void TearDown() override {
    c_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    Optimizer::Instance().SetPaused(false);
  }

  std::unique_ptr<Collection> Open() {
    auto c = std::make_unique<Collection>(1, "v", config_, store_.get());
    c->SetIndexDirectory(IndexDir());
    EXPECT_TRUE(c->Load().ok());
    return c;
  }
  std::string IndexDir() const { return (dir_ / "indexes" / "1").string(); }

  std::vector<float> RandomVector() {
    std::normal_distribution<float> normal;
    std::vector<float> v(kDim);
    for (float& x : v) x = normal(rng_);
    return v;
  }

  void Upsert(uint64_t first, size_t n) {
    UpdateOperation op;
    op.kind = UpdateOperation::Kind::kUpsert;
    for (size_t i = 0; i < n; ++i) {
      PointStruct p;
      p.id = PointId::Num(first + i);
      p.vectors = {{"", VectorValue(DenseVector(RandomVector()))}};
      p.payload = Json(Json::Object{{"group", Json((first + i) % 10 == 0 ? "rare" : "common")}});
      op.points.push_back(std::move(p));
    }
    ASSERT_TRUE(c_->Apply({op}, true).ok());
  }

  std::vector<PointOut> Search(const std::vector<float>& q, bool exact,
                               std::optional<Filter> filter = std::nullopt,
                               bool indexed_only = false) {
    QueryRequest req;
    req.quantization = quantization_;
    req.query.kind = QueryPlan::Kind::kNearest;
    req.query.nearest.vector = VectorValue(DenseVector(q));
    req.limit = 10;
    req.exact = exact;
    req.indexed_only = indexed_only;
    req.filter = std::move(filter);
    auto r = c_->Query(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<PointOut>{};
  }

  // Mean recall@10 of the indexed search against exact=true; also checks that every returned score
  // is the exact scan's score of that point, to the bit.
  double Recall(int queries, const std::optional<Filter>& filter = std::nullopt) {
    double hits = 0, total = 0;
    for (int i = 0; i < queries; ++i) {
      std::vector<float> q = RandomVector();
      auto exact = Search(q, true, filter);
      auto approx = Search(q, false, filter);
      std::map<std::string, float> truth;
      for (const PointOut& p : exact) truth[p.id.ToString()] = *p.score;
      std::set<std::string> exact_ids;
      for (const PointOut& p : exact) exact_ids.insert(p.id.ToString());
      for (const PointOut& p : approx) {
        if (exact_ids.count(p.id.ToString())) {
          ++hits;
          EXPECT_EQ(*p.score, truth[p.id.ToString()]);
        }
      }
      total += static_cast<double>(exact.size());
    }
    return total == 0 ? 1.0 : hits / total;
  }

  uint64_t IndexedCount() {
    return static_cast<uint64_t>(c_->Info().Find("indexed_vectors_count")->as_int());
  }
  std::string StatusOf() { return c_->Info().Find("status")->as_string(); }

  std::filesystem::path dir_;
  std::unique_ptr<KvStore> store_;
  CollectionConfig config_;
  std::optional<QueryRequest::QuantizationParams> quantization_;  // the searches' `quantization`
  std::unique_ptr<Collection> c_;
  std::mt19937_64 rng_{42};
};

TEST_F(VectorIndexTest, BuildGivesHighRecallAndExactScores) {
  Upsert(0, 3000);
  EXPECT_EQ(StatusOf(), "grey");  // over indexing_threshold, build not run yet
  EXPECT_EQ(IndexedCount(), 0u);
  c_->RunOptimization();
  EXPECT_EQ(StatusOf(), "green");
  EXPECT_EQ(IndexedCount(), 3000u);
  EXPECT_GE(Recall(50), 0.95);
  // A filter matching many points searches the graph with the filter; one matching few is scored
  // exactly (under full_scan_threshold: 10 KB = 160 vectors of 16 floats).
  Filter common = *ParseFilter(J(R"({"must": [{"key": "group", "match": {"value": "common"}}]})"));
  EXPECT_GE(Recall(30, common), 0.95);
  Filter one = *ParseFilter(J(R"({"must": [{"has_id": [5, 7, 2999]}]})"));
  EXPECT_EQ(Recall(10, one), 1.0);
  Json report = c_->Optimizations(true, true, true, 16);
  EXPECT_EQ(report.Find("running")->size(), 0u);
  ASSERT_EQ(report.Find("completed")->size(), 1u);
  EXPECT_EQ(report.Find("completed")->as_array()[0].Find("status")->as_string(), "done");
  EXPECT_EQ(report.Find("idle_segments")->size(), 1u);
  EXPECT_EQ(report.Find("summary")->Find("queued_optimizations")->as_int(), 0);
}

// Euclid scores are reported as distances, and an int8 graph searched without rescoring walks on
// estimates: in both cases the scores returned are still the exact scan's.
TEST_F(VectorIndexTest, ScoresAreExactForEuclidAndForInt8WithoutRescoring) {
  CollectionConfig updated;
  config_ = *CollectionConfig::FromCreateRequest(J(R"({
      "vectors": {"size": 16, "distance": "Euclid"},
      "hnsw_config": {"m": 16, "ef_construct": 64},
      "optimizers_config": {"indexing_threshold": 1}})"),
                                                 BuiltinCollectionDefaults());
  c_ = Open();
  Upsert(0, 2000);
  c_->RunOptimization();
  ASSERT_EQ(StatusOf(), "green");
  EXPECT_GE(Recall(30), 0.95);
  ASSERT_TRUE(
      c_->UpdateConfig(J(R"({"quantization_config": {"scalar": {"type": "int8"}}})"), &updated)
          .ok());
  c_->RunOptimization();
  ASSERT_EQ(StatusOf(), "green");
  quantization_ = QueryRequest::QuantizationParams{false, false, 1.0f};
  EXPECT_GE(Recall(30), 0.8);
  quantization_ = QueryRequest::QuantizationParams{false, true, 2.0f};
  EXPECT_GE(Recall(30), 0.9);
}

// Queries on several threads at once (as a batch query runs them) answer as one by one, a failing
// request with its own error.
TEST_F(VectorIndexTest, QueriesOnSeveralThreadsAtOnceAnswerAsOneByOne) {
  Upsert(0, 2000);
  c_->RunOptimization();
  std::vector<QueryRequest> requests;
  for (int i = 0; i < 40; ++i) {
    QueryRequest req;
    req.query.kind = QueryPlan::Kind::kNearest;
    req.query.nearest.vector = VectorValue(DenseVector(RandomVector()));
    req.limit = 5 + i % 7;
    if (i == 17) req.using_vector = "missing";  // this one fails
    requests.push_back(std::move(req));
  }
  for (size_t threads : {1u, 2u, 4u}) {
    std::vector<StatusOr<std::vector<PointOut>>> answers(requests.size(), InvalidArgument("none"));
    WorkerPool::Shared().ForEach(requests.size(), threads,
                                 [&](size_t i) { answers[i] = c_->Query(requests[i]); });
    for (size_t i = 0; i < requests.size(); ++i) {
      auto alone = c_->Query(requests[i]);
      ASSERT_EQ(answers[i].ok(), alone.ok()) << "request " << i << ", threads " << threads;
      if (!alone.ok()) {
        EXPECT_EQ(answers[i].status().message(), alone.status().message());
        continue;
      }
      ASSERT_EQ(answers[i]->size(), alone->size());
      for (size_t j = 0; j < alone->size(); ++j) {
        EXPECT_EQ((*answers[i])[j].id, (*alone)[j].id);
        EXPECT_EQ((*answers[i])[j].score, (*alone)[j].score);
      }
    }
    EXPECT_FALSE(answers[17].ok());
  }
}

TEST_F(VectorIndexTest, WritesAfterTheBuildAreNeverWrong) {
  Upsert(0, 2000);
  c_->RunOptimization();
  ASSERT_EQ(IndexedCount(), 2000u);
  // Delete a quarter, move another quarter to new vectors, add new points: the graph's copies of
  // the deleted and moved vectors must never be reported.
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePoints;
  for (uint64_t id = 0; id < 500; ++id) del.selector.ids.push_back(PointId::Num(id));
  ASSERT_TRUE(c_->Apply({del}, true).ok());
  Upsert(500, 500);  // same ids, new vectors
  Upsert(5000, 300);
  EXPECT_EQ(IndexedCount(), 1000u);
  EXPECT_EQ(StatusOf(), "grey");
  for (int i = 0; i < 30; ++i) {
    auto hits = Search(RandomVector(), false);
    for (const PointOut& p : hits) EXPECT_GE(p.id.num, 500u) << "deleted point returned";
  }
  EXPECT_GE(Recall(50), 0.95);
  // A point moved onto the query is found at once (it is in the exact part).
  std::vector<float> q = RandomVector();
  UpdateOperation move;
  move.kind = UpdateOperation::Kind::kUpdateVectors;
  PointStruct p;
  p.id = PointId::Num(1500);  // indexed, now stale
  p.vectors = {{"", VectorValue(DenseVector(q))}};
  move.points.push_back(p);
  ASSERT_TRUE(c_->Apply({move}, true).ok());
  auto hits = Search(q, false);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id.num, 1500u);
  EXPECT_NEAR(*hits[0].score, 1.0f, 1e-5);
  // Rebuilding takes everything in again.
  c_->RunOptimization();
  EXPECT_EQ(IndexedCount(), 1800u);
  EXPECT_EQ(StatusOf(), "green");
  EXPECT_GE(Recall(30), 0.95);
}

TEST_F(VectorIndexTest, IndexedOnlySkipsALargeUnindexedPart) {
  Upsert(0, 1000);
  c_->RunOptimization();
  std::vector<float> q = RandomVector();
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kUpsert;
  for (uint64_t id = 9000; id < 9100; ++id) {  // 100 vectors = 6.25 KB >= 1 KB
    PointStruct p;
    p.id = PointId::Num(id);
    p.vectors = {{"", VectorValue(DenseVector(q))}};
    op.points.push_back(p);
  }
  ASSERT_TRUE(c_->Apply({op}, true).ok());
  auto all = Search(q, false);
  ASSERT_FALSE(all.empty());
  EXPECT_GE(all[0].id.num, 9000u);
  for (const PointOut& p : Search(q, false, std::nullopt, /*indexed_only=*/true)) {
    EXPECT_LT(p.id.num, 9000u);
  }
}

TEST_F(VectorIndexTest, RestartLoadsTheFilesAndTreatsChangedPointsAsStale) {
  Upsert(0, 1500);
  c_->RunOptimization();
  ASSERT_TRUE(std::filesystem::exists(IndexDir() + "/" + SegmentStem("") + ".hnsw"));
  // Changed after the build: these points are stale in the saved segment.
  Upsert(0, 100);
  c_.reset();
  c_ = Open();
  EXPECT_EQ(IndexedCount(), 1400u);  // no build ran: the file was loaded
  EXPECT_GE(Recall(40), 0.95);
  c_->RunOptimization();
  EXPECT_EQ(IndexedCount(), 1500u);
}

TEST_F(VectorIndexTest, DamagedFilesAreRebuilt) {
  Upsert(0, 1200);
  c_->RunOptimization();
  c_.reset();
  for (const char* ext : {".hnsw", ".map"}) {
    std::string path = IndexDir() + "/" + SegmentStem("") + ext;
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << path;
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
    f.put('\x5a');
    f.put('\xa5');
  }
  c_ = Open();
  EXPECT_EQ(IndexedCount(), 0u);
  EXPECT_EQ(StatusOf(), "grey");
  EXPECT_EQ(Recall(10), 1.0);  // exact until rebuilt
  c_->RunOptimization();
  EXPECT_EQ(IndexedCount(), 1200u);
  EXPECT_GE(Recall(30), 0.95);
}

TEST_F(VectorIndexTest, ChangedHnswConfigRebuildsTheSegment) {
  Upsert(0, 800);
  c_->RunOptimization();
  ASSERT_EQ(StatusOf(), "green");
  CollectionConfig updated;
  ASSERT_TRUE(c_->UpdateConfig(J(R"({"hnsw_config": {"m": 8}})"), &updated).ok());
  EXPECT_EQ(StatusOf(), "grey");  // nothing pending, but the graph has the old m
  c_->RunOptimization();
  EXPECT_EQ(StatusOf(), "green");
  const Json report = c_->Optimizations(false, true, false, 16);
  ASSERT_EQ(report.Find("completed")->size(), 2u);
  EXPECT_EQ(report.Find("completed")->as_array()[0].Find("optimizer")->as_string(),
            "config mismatch");
  EXPECT_GE(Recall(30), 0.95);
  // Every point deleted, then the settings change again: the segment is dropped, not rebuilt.
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePoints;
  for (uint64_t id = 0; id < 800; ++id) del.selector.ids.push_back(PointId::Num(id));
  ASSERT_TRUE(c_->Apply({del}, true).ok());
  ASSERT_TRUE(c_->UpdateConfig(J(R"({"hnsw_config": {"m": 12}})"), &updated).ok());
  c_->RunOptimization();
  EXPECT_EQ(StatusOf(), "green");
  EXPECT_EQ(IndexedCount(), 0u);
}

TEST_F(VectorIndexTest, DeletionsPastTheVacuumThresholdsRebuildTheGraph) {
  Upsert(0, 3000);
  c_->RunOptimization();
  ASSERT_EQ(StatusOf(), "green");
  auto patch = [&](const char* optimizers) {
    CollectionConfig updated;
    ASSERT_TRUE(c_->UpdateConfig(J(optimizers), &updated).ok());
  };
  patch(R"({"optimizers_config": {"deleted_threshold": 0.4}})");
  UpdateOperation del;
  del.kind = UpdateOperation::Kind::kDeletePoints;
  for (uint64_t id = 0; id < 1100; ++id) del.selector.ids.push_back(PointId::Num(id));
  ASSERT_TRUE(c_->Apply({del}, true).ok());
  EXPECT_EQ(StatusOf(), "green");  // 1100 of 3000 stale: 37%, under 40%
  patch(R"({"optimizers_config": {"deleted_threshold": 0.3}})");
  EXPECT_EQ(StatusOf(), "grey");
  patch(R"({"optimizers_config": {"vacuum_min_vector_number": 2000}})");
  EXPECT_EQ(StatusOf(), "green");  // 1100 stale, fewer than 2000
  patch(R"({"optimizers_config": {"vacuum_min_vector_number": 1000}})");
  EXPECT_EQ(StatusOf(), "grey");
  const Json queued = c_->Optimizations(true, false, false, 16);
  ASSERT_EQ(queued.Find("queued")->size(), 1u);
  EXPECT_EQ(queued.Find("queued")->as_array()[0].Find("optimizer")->as_string(), "vacuum");
  c_->RunOptimization();
  EXPECT_EQ(StatusOf(), "green");
  const Json report = c_->Optimizations(false, true, false, 16);
  ASSERT_EQ(report.Find("completed")->size(), 2u);
  // Newest first, named as Qdrant names its optimizers.
  EXPECT_EQ(report.Find("completed")->as_array()[0].Find("optimizer")->as_string(), "vacuum");
  EXPECT_EQ(report.Find("completed")->as_array()[1].Find("optimizer")->as_string(), "indexing");
  EXPECT_EQ(IndexedCount(), 1900u);
  for (int i = 0; i < 20; ++i) {
    for (const PointOut& p : Search(RandomVector(), false)) {
      EXPECT_GE(p.id.num, 1100u) << "deleted point returned";
    }
  }
  EXPECT_GE(Recall(30), 0.95);
}

TEST_F(VectorIndexTest, ZeroThresholdNeverIndexesAndDroppedCollectionsLoseTheirFiles) {
  Upsert(0, 500);
  c_->RunOptimization();
  ASSERT_TRUE(std::filesystem::exists(IndexDir()));
  CollectionConfig updated;
  ASSERT_TRUE(
      c_->UpdateConfig(J(R"({"optimizers_config": {"indexing_threshold": 0}})"), &updated).ok());
  Upsert(1000, 500);
  EXPECT_EQ(StatusOf(), "green");
  c_->RunOptimization();
  EXPECT_EQ(IndexedCount(), 500u);
  c_->MarkDropped();
  c_.reset();
  EXPECT_FALSE(std::filesystem::exists(IndexDir()));
}

}  // namespace
}  // namespace quiver
