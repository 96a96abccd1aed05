#pragma once
// Exact nearest neighbours (the ground truth) and recall@k as ann-benchmarks counts it.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quiver_bench_data.h"

namespace quiver::bench {

// The distance every figure is judged by, lower is closer: squared L2 for kL2, minus the inner
// product for kCosine (vectors already normalised) and kDot. Uses Quiver's distance kernels.
float TrueDistance(Metric metric, const float* a, const float* b, size_t dim);

// The `k` ids closest to `query` among `ids` (all base vectors when `ids` is null), closest first.
// Thread-compatible: concurrent calls need their own `out`.
void ExactTopK(const Dataset& data, const float* query, const std::vector<uint32_t>* ids,
               size_t k, std::vector<uint32_t>* out);

struct GroundTruth {
  size_t k = 0;
  // Per query: the true neighbours, closest first (fewer than k when fewer ids are allowed), and
  // the distance of the last of them (the k-th nearest).
  std::vector<std::vector<uint32_t>> ids;
  std::vector<float> kth_distance;
};

// Exact scan of every query against `ids` (all base vectors when null), on `threads` threads.
GroundTruth ComputeGroundTruth(const Dataset& data, size_t k, const std::vector<uint32_t>* ids,
                               int threads);

// Mean recall@k over the queries: a returned id counts when its true distance is at most the true
// k-th nearest distance (with 1e-5 relative slack, as ann-benchmarks does, so that ties count),
// and, when `allowed` is given (one byte per base id), when the id is allowed. Duplicates count
// once. results[q] are the ids the engine returned for query q.
double MeanRecall(const Dataset& data, const GroundTruth& truth,
                  const std::vector<std::vector<uint32_t>>& results,
                  const std::vector<uint8_t>* allowed = nullptr);

}  // namespace quiver::bench
