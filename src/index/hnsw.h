#pragma once
// HnswIndex: a Hierarchical Navigable Small World graph (Malkov & Yashunin, 2016) over one
// segment's dense vectors, for approximate nearest-neighbour search.
//
// The index addresses points by dense local ids 0..n-1 (the collection maps its slots to them).
// It keeps its own copy of the vectors (float32, plus a quantized copy when quantization is on),
// so the collection may grow or reallocate its columns while searches run.
//
// Distances: lower is closer. kL2 = squared Euclidean, kDot = -dot product, kCosine = -dot over
// vectors the caller has normalised, kManhattan = L1.
//
// Thread safety: Build() may use several threads internally. After Build() or Load() the index is
// immutable except MarkDeleted(), which may run concurrently with Search() (a deleted id is never
// returned by later searches).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace quiver::index {

enum class Metric { kL2, kDot, kCosine, kManhattan };

enum class Quantization {
  kNone,    // search on float32 vectors
  kInt8,    // scalar quantization: traversal on int8 codes, optional float rescoring
  kBinary,  // one bit per dimension: traversal on Hamming distance, optional float rescoring
};

struct HnswParams {
  uint32_t m = 16;              // links per node on layers above 0 (2*m on layer 0)
  uint32_t ef_construct = 100;  // candidate list size while building
  uint32_t build_threads = 1;   // threads Build() uses
  uint64_t seed = 42;           // level generator seed: same seed + same threads=1 -> same graph
  Quantization quantization = Quantization::kNone;
  float quantile = 0.99f;       // int8: the share of values the quantization range covers
};

// Which ids a search may return (payload filters, deleted points). Called during traversal.
class IdFilter {
 public:
  virtual ~IdFilter() = default;
  virtual bool Allows(uint32_t id) const = 0;
};

struct Neighbor {
  uint32_t id;
  float distance;  // lower is closer (see the header comment)
};

struct SearchParams {
  size_t k = 10;
  size_t ef = 0;                     // 0: max(k, 64)
  const IdFilter* filter = nullptr;  // null: every non-deleted id
  // With quantization: re-rank the best `k * oversampling` candidates on float vectors, so the
  // reported distances are exact. Without quantization both are ignored.
  bool rescore = true;
  float oversampling = 1.0f;
};

class HnswIndex {
 public:
  // Builds the graph over `n` vectors of `dim` floats at data[i * dim] (id i).
  static std::unique_ptr<HnswIndex> Build(const float* data, size_t n, size_t dim, Metric metric,
                                          const HnswParams& params);

  // The `k` nearest allowed, non-deleted ids, closest first (fewer when fewer exist).
  std::vector<Neighbor> Search(const float* query, const SearchParams& params) const;

  // Qdrant's `payload_m`: adds up to `payload_m` extra layer-0 links among `ids` (the points
  // sharing one indexed keyword value), so a search filtered to that value stays connected even
  // when the value is rare. Called after Build(), before the index is shared.
  void AddPayloadLinks(const std::vector<uint32_t>& ids, uint32_t payload_m);

  // Excludes `id` from every later search. Ids out of range are ignored.
  void MarkDeleted(uint32_t id);

  size_t size() const;                  // n, deleted included
  size_t dim() const;
  Metric metric() const;
  size_t MemoryBytes() const;           // vectors, codes and links held by the index

  // Persistence: one file with a format version, the parameters, a checksum over the contents.
  // Load() refuses (kInvalidArgument / kInternal, never a crash) a file that is truncated,
  // damaged (checksum mismatch) or of another version; the caller then rebuilds.
  Status Save(const std::string& path) const;
  static StatusOr<std::unique_ptr<HnswIndex>> Load(const std::string& path);

  ~HnswIndex();

 private:
  HnswIndex();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver::index
