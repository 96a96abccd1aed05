#pragma once
// Data sets for quiver-bench: base vectors, queries and the metric they are compared with.
//
// Vectors are row-major float32 (`base[i * dim + j]`). For Metric::kCosine the loaders normalise
// every base and query vector, so every engine can then compare them by inner product.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace quiver::bench {

enum class Metric { kL2, kCosine, kDot };

// "l2" | "cosine" | "dot" -> Metric; kInvalidArgument for anything else.
StatusOr<Metric> ParseMetric(const std::string& name);
const char* MetricName(Metric metric);

struct Dataset {
  std::string name;  // what was loaded, for the report ("fashion-mnist", "synthetic ...", a path)
  size_t dim = 0;
  size_t n = 0;      // base vectors
  size_t nq = 0;     // query vectors
  Metric metric = Metric::kL2;
  std::vector<float> base;     // n * dim
  std::vector<float> queries;  // nq * dim

  const float* Base(size_t i) const { return base.data() + i * dim; }
  const float* Query(size_t i) const { return queries.data() + i * dim; }
};

// Reads an .fvecs file (each record: int32 dim, then dim float32). At most `limit` vectors when
// `limit` > 0. Errors: unreadable file, inconsistent dimensions, truncated record.
StatusOr<std::vector<float>> ReadFvecs(const std::string& path, size_t limit, size_t* dim);

// --base FILE --queries FILE: the first `nq` queries.
StatusOr<Dataset> LoadFvecs(const std::string& base_path, const std::string& query_path,
                            size_t nq, Metric metric);

// Fashion-MNIST from the Debian package dataset-fashion-mnist: base = the 60 000 training images,
// queries = the first `nq` test images, 784 pixels each as float 0..255.
StatusOr<Dataset> LoadFashionMnist(size_t nq, Metric metric);

// `n` points in `dim` dimensions scattered (Gaussian) around `clusters` Gaussian centres; `nq`
// queries drawn the same way from a separate random stream. Same arguments, same data.
Dataset MakeSynthetic(size_t n, size_t dim, size_t clusters, uint64_t seed, size_t nq,
                      Metric metric);

// Parses "N,DIM,CLUSTERS,SEED".
StatusOr<Dataset> MakeSyntheticFromSpec(const std::string& spec, size_t nq, Metric metric);

}  // namespace quiver::bench
