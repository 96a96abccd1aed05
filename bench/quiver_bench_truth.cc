#include "quiver_bench_truth.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <thread>
#include <unordered_set>
#include <utility>

#include "vector/distance.h"

namespace quiver::bench {

float TrueDistance(Metric metric, const float* a, const float* b, size_t dim) {
  if (metric == Metric::kL2) return vec::L2Squared(a, b, dim);
  return -vec::Dot(a, b, dim);
}

void ExactTopK(const Dataset& data, const float* query, const std::vector<uint32_t>* ids,
               size_t k, std::vector<uint32_t>* out) {
  // A max-heap of the k best so far: most candidates are rejected by one comparison.
  std::priority_queue<std::pair<float, uint32_t>> heap;
  auto consider = [&](uint32_t id) {
    float d = TrueDistance(data.metric, query, data.Base(id), data.dim);
    if (heap.size() < k) {
      heap.emplace(d, id);
    } else if (d < heap.top().first) {
      heap.pop();
      heap.emplace(d, id);
    }
  };
  if (ids != nullptr) {
    for (uint32_t id : *ids) consider(id);
  } else {
    for (size_t id = 0; id < data.n; ++id) consider(static_cast<uint32_t>(id));
  }
  out->resize(heap.size());
  for (size_t i = heap.size(); i-- > 0;) {
    (*out)[i] = heap.top().second;
    heap.pop();
  }
}

GroundTruth ComputeGroundTruth(const Dataset& data, size_t k, const std::vector<uint32_t>* ids,
                               int threads) {
  GroundTruth truth;
  truth.k = k;
  truth.ids.resize(data.nq);
  truth.kth_distance.resize(data.nq);
  auto work = [&](size_t first) {
    for (size_t q = first; q < data.nq; q += static_cast<size_t>(threads)) {
      ExactTopK(data, data.Query(q), ids, k, &truth.ids[q]);
      truth.kth_distance[q] =
          truth.ids[q].empty()
              ? INFINITY
              : TrueDistance(data.metric, data.Query(q), data.Base(truth.ids[q].back()), data.dim);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, static_cast<size_t>(t));
  work(0);
  for (auto& t : pool) t.join();
  return truth;
}

double MeanRecall(const Dataset& data, const GroundTruth& truth,
                  const std::vector<std::vector<uint32_t>>& results,
                  const std::vector<uint8_t>* allowed) {
  if (data.nq == 0) return 0;
  double sum = 0;
  std::unordered_set<uint32_t> seen;
  for (size_t q = 0; q < data.nq; ++q) {
    size_t expected = truth.ids[q].size();
    if (expected == 0) {
      sum += 1;  // nothing to find
      continue;
    }
    float limit = truth.kth_distance[q] + 1e-5f * std::fabs(truth.kth_distance[q]);
    seen.clear();
    size_t hits = 0;
    for (size_t i = 0; i < results[q].size() && i < truth.k; ++i) {
      uint32_t id = results[q][i];
      if (id >= data.n || !seen.insert(id).second) continue;
      if (allowed != nullptr && !(*allowed)[id]) continue;
      if (TrueDistance(data.metric, data.Query(q), data.Base(id), data.dim) <= limit) ++hits;
    }
    sum += static_cast<double>(std::min(hits, expected)) / static_cast<double>(expected);
  }
  return sum / static_cast<double>(data.nq);
}

}  // namespace quiver::bench
