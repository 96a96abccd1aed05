#pragma once
// Test helpers for the HNSW tests: seeded clustered data, exact search, recall as
// ann-benchmarks counts it.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "index/hnsw.h"
#include "vector/distance.h"

namespace quiver::index::testing {

// n points around `clusters` Gaussian centres (unit spread of centres, `spread` within), seeded.
inline std::vector<float> ClusteredData(size_t n, size_t dim, size_t clusters, uint64_t seed,
                                        float spread = 0.35f, bool normalize = false) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centres(clusters * dim);
  for (float& x : centres) x = normal(rng);
  std::uniform_int_distribution<size_t> pick(0, clusters - 1);
  std::vector<float> data(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = pick(rng);
    for (size_t d = 0; d < dim; ++d) data[i * dim + d] = centres[c * dim + d] + spread * normal(rng);
    if (normalize) vec::Normalize(data.data() + i * dim, dim);
  }
  return data;
}

inline float ExactDistance(Metric metric, const float* a, const float* b, size_t dim) {
  switch (metric) {
    case Metric::kL2: return vec::L2Squared(a, b, dim);
    case Metric::kManhattan: return vec::L1(a, b, dim);
    case Metric::kDot:
    case Metric::kCosine: break;
  }
  return -vec::Dot(a, b, dim);
}

// The k nearest allowed ids by brute force, closest first.
template <typename Allowed>
std::vector<Neighbor> BruteForce(const std::vector<float>& data, size_t dim, Metric metric,
                                 const float* query, size_t k, const Allowed& allowed) {
  std::vector<Neighbor> all;
  for (uint32_t id = 0; id < data.size() / dim; ++id) {
    if (allowed(id)) all.push_back({id, ExactDistance(metric, query, &data[id * dim], dim)});
  }
  const size_t count = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(count), all.end(),
                    [](const Neighbor& a, const Neighbor& b) { return a.distance < b.distance; });
  all.resize(count);
  return all;
}

// Share of `found` within the true k-th distance (ties count, as in ann-benchmarks), over k.
inline double Recall(const std::vector<float>& data, size_t dim, Metric metric,
                     const float* query, const std::vector<Neighbor>& truth,
                     const std::vector<Neighbor>& found) {
  if (truth.empty()) return found.empty() ? 1.0 : 0.0;
  const float limit = truth.back().distance;
  const float slack = 1e-4f * std::max(1.0f, std::fabs(limit));
  size_t hits = 0;
  for (const Neighbor& n : found) {
    if (ExactDistance(metric, query, &data[n.id * dim], dim) <= limit + slack) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(truth.size());
}

}  // namespace quiver::index::testing
