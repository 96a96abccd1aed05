// HnswIndex: recall against exact search per metric and quantization, filters, deletions,
// determinism, multi-threaded build, payload links.

#include "index/hnsw.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <thread>

#include "index/hnsw_test_util.h"

namespace quiver::index {
namespace {

using testing::BruteForce;
using testing::ClusteredData;
using testing::Recall;

constexpr size_t kN = 5000;
constexpr size_t kDim = 32;
constexpr size_t kQueries = 100;
constexpr size_t kK = 10;

const auto kAll = [](uint32_t) { return true; };

class SetFilter : public IdFilter {
 public:
  explicit SetFilter(std::vector<bool> allowed) : allowed_(std::move(allowed)) {}
  bool Allows(uint32_t id) const override { return id < allowed_.size() && allowed_[id]; }

 private:
  std::vector<bool> allowed_;
};

struct Fixture {
  std::vector<float> data;
  std::vector<float> queries;
};

Fixture MakeData(Metric metric, size_t n = kN, size_t dim = kDim) {
  const bool normalize = metric == Metric::kCosine;
  Fixture f;
  f.data = ClusteredData(n, dim, 20, 1234, 0.35f, normalize);
  // Queries from the same clusters (same seed for the centres), fresh points.
  std::vector<float> pool = ClusteredData(n + kQueries, dim, 20, 1234, 0.35f, normalize);
  f.queries.assign(pool.end() - static_cast<ptrdiff_t>(kQueries * dim), pool.end());
  return f;
}

template <typename Allowed>
double MeanRecall(const HnswIndex& index, const Fixture& f, Metric metric, SearchParams params,
                  const Allowed& allowed) {
  double sum = 0;
  const size_t dim = index.dim();
  for (size_t q = 0; q < kQueries; ++q) {
    const float* query = &f.queries[q * dim];
    const auto truth = BruteForce(f.data, dim, metric, query, params.k, allowed);
    const auto found = index.Search(query, params);
    EXPECT_LE(found.size(), params.k);
    for (size_t i = 1; i < found.size(); ++i) EXPECT_LE(found[i - 1].distance, found[i].distance);
    for (const Neighbor& n : found) EXPECT_TRUE(allowed(n.id)) << n.id;
    sum += Recall(f.data, dim, metric, query, truth, found);
  }
  return sum / kQueries;
}

SearchParams Params(size_t ef) {
  SearchParams p;
  p.k = kK;
  p.ef = ef;
  return p;
}

const char* MetricName(Metric m) {
  switch (m) {
    case Metric::kL2: return "l2";
    case Metric::kDot: return "dot";
    case Metric::kCosine: return "cosine";
    case Metric::kManhattan: return "manhattan";
  }
  return "?";
}

constexpr Metric kMetrics[] = {Metric::kL2, Metric::kDot, Metric::kCosine, Metric::kManhattan};

TEST(HnswTest, RecallPerMetric) {
  for (Metric metric : kMetrics) {
    SCOPED_TRACE(MetricName(metric));
    const Fixture f = MakeData(metric);
    const auto index = HnswIndex::Build(f.data.data(), kN, kDim, metric, HnswParams{});
    EXPECT_EQ(index->size(), kN);
    EXPECT_EQ(index->dim(), kDim);
    EXPECT_EQ(index->metric(), metric);
    EXPECT_GE(MeanRecall(*index, f, metric, Params(64), kAll), 0.95);
    // Reported distances are the exact metric distances.
    const auto found = index->Search(f.queries.data(), Params(64));
    ASSERT_FALSE(found.empty());
    EXPECT_NEAR(found[0].distance,
                testing::ExactDistance(metric, f.queries.data(), &f.data[found[0].id * kDim], kDim),
                1e-3);
  }
}

TEST(HnswTest, QuantizedRecallWithRescore) {
  for (Metric metric : kMetrics) {
    SCOPED_TRACE(MetricName(metric));
    const Fixture f = MakeData(metric);
    HnswParams int8;
    int8.quantization = Quantization::kInt8;
    const auto index8 = HnswIndex::Build(f.data.data(), kN, kDim, metric, int8);
    // Rescoring re-ranks the whole candidate list, so oversampling 1 keeps the float recall.
    EXPECT_GE(MeanRecall(*index8, f, metric, Params(64), kAll), 0.95);
  }
}

TEST(HnswTest, BinaryRecallWithRescore) {
  // One bit per dimension needs many dimensions to tell neighbours apart.
  constexpr size_t kWide = 256;
  for (Metric metric : {Metric::kL2, Metric::kCosine}) {
    SCOPED_TRACE(MetricName(metric));
    const Fixture f = MakeData(metric, 2000, kWide);
    HnswParams binary;
    binary.quantization = Quantization::kBinary;
    const auto index = HnswIndex::Build(f.data.data(), 2000, kWide, metric, binary);
    SearchParams p = Params(100);
    p.oversampling = 10.0f;
    EXPECT_GE(MeanRecall(*index, f, metric, p, kAll), 0.9);
  }
}

TEST(HnswTest, QuantizedWithoutRescoreStillFindsNeighbours) {
  const Fixture f = MakeData(Metric::kL2);
  HnswParams int8;
  int8.quantization = Quantization::kInt8;
  const auto index = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, int8);
  SearchParams p = Params(64);
  p.rescore = false;
  EXPECT_GE(MeanRecall(*index, f, Metric::kL2, p, kAll), 0.8);
  // The code distance is an estimate of the squared L2 distance in the data's units.
  const auto found = index->Search(f.queries.data(), p);
  ASSERT_FALSE(found.empty());
  const float exact =
      testing::ExactDistance(Metric::kL2, f.queries.data(), &f.data[found[0].id * kDim], kDim);
  EXPECT_NEAR(found[0].distance, exact, 0.1 * exact + 0.1);
}

TEST(HnswTest, FilteredRecall) {
  const Fixture f = MakeData(Metric::kL2);
  const auto index = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, HnswParams{});
  for (double share : {0.01, 0.10}) {
    SCOPED_TRACE(share);
    std::mt19937 rng(7);
    std::bernoulli_distribution pick(share);
    std::vector<bool> allowed(kN);
    for (size_t i = 0; i < kN; ++i) allowed[i] = pick(rng);
    const SetFilter filter(allowed);
    SearchParams p = Params(64);
    p.filter = &filter;
    EXPECT_GE(MeanRecall(*index, f, Metric::kL2, p, [&](uint32_t id) { return allowed[id]; }),
              0.95);
  }
}

TEST(HnswTest, DeletedIdsAreNeverReturned) {
  const Fixture f = MakeData(Metric::kL2);
  const auto index = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, HnswParams{});
  std::vector<bool> alive(kN, true);
  // Delete the current nearest neighbours of the first queries, plus every third id.
  for (size_t q = 0; q < 10; ++q) {
    for (const Neighbor& n : index->Search(&f.queries[q * kDim], Params(64))) {
      index->MarkDeleted(n.id);
      alive[n.id] = false;
    }
  }
  for (uint32_t id = 0; id < kN; id += 3) {
    index->MarkDeleted(id);
    alive[id] = false;
  }
  index->MarkDeleted(kN + 5);  // out of range: ignored
  const auto is_alive = [&](uint32_t id) { return bool{alive[id]}; };
  EXPECT_GE(MeanRecall(*index, f, Metric::kL2, Params(64), is_alive), 0.95);
}

TEST(HnswTest, MarkDeletedConcurrentWithSearch) {
  const Fixture f = MakeData(Metric::kL2);
  const auto index = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, HnswParams{});
  std::thread deleter([&] {
    for (uint32_t id = 0; id < kN; id += 2) index->MarkDeleted(id);
  });
  for (size_t round = 0; round < 3; ++round) {
    for (size_t q = 0; q < kQueries; ++q) index->Search(&f.queries[q * kDim], Params(32));
  }
  deleter.join();
  for (size_t q = 0; q < kQueries; ++q) {
    for (const Neighbor& n : index->Search(&f.queries[q * kDim], Params(32))) {
      EXPECT_EQ(n.id % 2, 1u);
    }
  }
}

TEST(HnswTest, SingleThreadedBuildIsDeterministic) {
  const Fixture f = MakeData(Metric::kL2, 2000);
  HnswParams params;
  params.seed = 99;
  const auto a = HnswIndex::Build(f.data.data(), 2000, kDim, Metric::kL2, params);
  const auto b = HnswIndex::Build(f.data.data(), 2000, kDim, Metric::kL2, params);
  for (size_t q = 0; q < kQueries; ++q) {
    const auto ra = a->Search(&f.queries[q * kDim], Params(16));
    const auto rb = b->Search(&f.queries[q * kDim], Params(16));
    ASSERT_EQ(ra.size(), rb.size());
    for (size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].id, rb[i].id);
      EXPECT_EQ(ra[i].distance, rb[i].distance);
    }
  }
}

// A build stops when its cancel flag turns true and returns no index: set before it starts, and
// set while it runs (20 ms into a build of 30,000 points), where it stops in a fraction of the
// time the whole build takes.
TEST(HnswTest, CancelledBuildReturnsNoIndex) {
  const Fixture small = MakeData(Metric::kL2);
  std::atomic<bool> cancel{true};
  HnswParams params;
  params.build_threads = 2;
  params.cancel = &cancel;
  EXPECT_EQ(HnswIndex::Build(small.data.data(), kN, kDim, Metric::kL2, params), nullptr);

  cancel = false;  // a flag that stays false changes nothing
  const auto built = HnswIndex::Build(small.data.data(), kN, kDim, Metric::kL2, params);
  ASSERT_NE(built, nullptr);
  EXPECT_GE(MeanRecall(*built, small, Metric::kL2, Params(64), kAll), 0.95);

  constexpr size_t kLarge = 30000;
  const std::vector<float> large = ClusteredData(kLarge, kDim, 20, 99, 0.35f, false);
  auto start = std::chrono::steady_clock::now();
  cancel = false;
  ASSERT_NE(HnswIndex::Build(large.data(), kLarge, kDim, Metric::kL2, params), nullptr);
  const double whole =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cancel = true;
  });
  start = std::chrono::steady_clock::now();
  const auto stopped = HnswIndex::Build(large.data(), kLarge, kDim, Metric::kL2, params);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  canceller.join();
  EXPECT_EQ(stopped, nullptr);
  EXPECT_LT(seconds, whole / 2) << "stopped after " << seconds << " s; a whole build " << whole;
}

TEST(HnswTest, MultiThreadedBuildRecall) {
  const Fixture f = MakeData(Metric::kL2);
  HnswParams params;
  params.build_threads = 4;
  const auto index = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, params);
  EXPECT_GE(MeanRecall(*index, f, Metric::kL2, Params(64), kAll), 0.95);
  params.quantization = Quantization::kInt8;
  const auto index8 = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, params);
  EXPECT_GE(MeanRecall(*index8, f, Metric::kL2, Params(64), kAll), 0.95);
}

TEST(HnswTest, PayloadLinksKeepRareValuesReachable) {
  // Low m makes the main graph sparse; a rare value scattered over all clusters then relies on
  // the payload links.
  const Fixture f = MakeData(Metric::kL2);
  HnswParams params;
  params.m = 4;
  params.ef_construct = 32;
  const auto index = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, params);
  std::vector<uint32_t> group;
  std::vector<bool> allowed(kN, false);
  for (uint32_t id = 0; id < kN; id += 37) {
    group.push_back(id);
    allowed[id] = true;
  }
  const size_t before = index->MemoryBytes();
  index->AddPayloadLinks(group, 16);
  EXPECT_GT(index->MemoryBytes(), before);
  const SetFilter filter(allowed);
  SearchParams p = Params(32);
  p.filter = &filter;
  EXPECT_GE(MeanRecall(*index, f, Metric::kL2, p, [&](uint32_t id) { return bool{allowed[id]}; }),
            0.95);
  // Odd inputs are ignored: out-of-range ids, duplicates, a single id, payload_m 0.
  index->AddPayloadLinks({kN + 1, 3, 3}, 16);
  index->AddPayloadLinks({1, 2, 3}, 0);
  EXPECT_GE(MeanRecall(*index, f, Metric::kL2, Params(64), kAll), 0.9);
}

TEST(HnswTest, SmallAndEmptyIndexes) {
  const std::vector<float> none;
  const auto empty = HnswIndex::Build(none.data(), 0, 4, Metric::kL2, HnswParams{});
  const float q[4] = {1, 2, 3, 4};
  EXPECT_TRUE(empty->Search(q, Params(10)).empty());
  EXPECT_EQ(empty->size(), 0u);

  const std::vector<float> three = {0, 0, 0, 0, 1, 1, 1, 1, 5, 5, 5, 5};
  for (Quantization qz : {Quantization::kNone, Quantization::kInt8, Quantization::kBinary}) {
    HnswParams params;
    params.quantization = qz;
    const auto index = HnswIndex::Build(three.data(), 3, 4, Metric::kL2, params);
    const auto found = index->Search(q, Params(10));
    ASSERT_EQ(found.size(), 3u);  // k larger than n: all of them
    std::set<uint32_t> ids;
    for (const Neighbor& n : found) ids.insert(n.id);
    EXPECT_EQ(ids.size(), 3u);
    if (qz == Quantization::kNone) {
      EXPECT_EQ(found[0].id, 1u);
    }
    SearchParams zero = Params(10);
    zero.k = 0;
    EXPECT_TRUE(index->Search(q, zero).empty());
  }
}

TEST(HnswTest, OddInputsDoNotBreakSearches) {
  Fixture f = MakeData(Metric::kL2, 500);
  // A few vectors with NaN and infinity: never a crash, and the finite ones are still found.
  f.data[3 * kDim] = std::nanf("");
  f.data[7 * kDim + 1] = std::numeric_limits<float>::infinity();
  for (Quantization qz : {Quantization::kNone, Quantization::kInt8, Quantization::kBinary}) {
    HnswParams params;
    params.quantization = qz;
    const auto index = HnswIndex::Build(f.data.data(), 500, kDim, Metric::kL2, params);
    std::vector<float> query(f.data.begin() + 10 * kDim, f.data.begin() + 11 * kDim);
    const auto found = index->Search(query.data(), Params(32));
    ASSERT_FALSE(found.empty());
    EXPECT_EQ(found[0].id, 10u);
    query[0] = std::nanf("");
    index->Search(query.data(), Params(32));  // answers something, does not crash
    SearchParams huge = Params(32);
    huge.k = 1000;  // more than n
    huge.oversampling = std::numeric_limits<float>::infinity();
    query[0] = 0.0f;
    EXPECT_LE(index->Search(query.data(), huge).size(), 500u);
    huge.oversampling = std::nanf("");
    EXPECT_LE(index->Search(query.data(), huge).size(), 500u);
  }
}

TEST(HnswTest, MemoryBytesCountsVectorsCodesAndLinks) {
  const Fixture f = MakeData(Metric::kL2);
  const auto plain = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, HnswParams{});
  const size_t floats = kN * kDim * sizeof(float);
  const size_t links = kN * 2 * 16 * sizeof(uint32_t);
  EXPECT_GE(plain->MemoryBytes(), floats + links);
  EXPECT_LE(plain->MemoryBytes(), 3 * (floats + links));
  HnswParams params;
  params.quantization = Quantization::kInt8;
  const auto int8 = HnswIndex::Build(f.data.data(), kN, kDim, Metric::kL2, params);
  EXPECT_GE(int8->MemoryBytes(), floats + links + kN * kDim);
}

}  // namespace
}  // namespace quiver::index
