#pragma once
// HnswIndex: a Hierarchical Navigable Small World graph (Yu. A. Malkov and D. A. Yashunin,
// "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small
// World graphs", IEEE TPAMI 42(4), 2020; arXiv:1603.09320, 2016) over one segment's dense
// vectors, for approximate nearest-neighbour search.
//
// The index addresses points by dense local ids 0..n-1 (the collection maps its slots to them).
// It keeps its own copy of the vectors (float32, plus a quantized copy when quantization is on),
// so the collection may grow or reallocate its columns while searches run.
//
// Distances: lower is closer. kL2 = squared Euclidean, kDot = -dot product, kCosine = -dot over
// vectors the caller has normalised, kManhattan = L1.
//
// Quantization: the graph is walked on compact codes (int8: 4x less memory traffic than float32;
// binary: 32x), and with `rescore` the candidates are re-ranked on the float vectors, so the
// reported distances are exact. int8 codes come with a proven bound on their error, which lets
// rescoring skip the candidates that cannot reach the top k (hnsw_space.h).
//
// Thread safety: Build() may use several threads internally. After Build() or Load() the index is
// immutable except MarkDeleted(), which may run concurrently with Search() (a deleted id is never
// returned by searches that start after MarkDeleted() returns). Search() and Save() may run
// concurrently with each other. AddPayloadLinks() must not run concurrently with anything.
//
// Storage layout, graph walks and the file format: hnsw_graph.h, hnsw_layer.h,
// docs/formats/hnsw-index.md.

#include <atomic>
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
  uint32_t m = 16;              // links per node on layers above 0 (2*m on layer 0); at least 2
  uint32_t ef_construct = 100;  // candidate list size while building
  uint32_t build_threads = 1;   // threads Build() uses
  uint64_t seed = 42;           // level generator seed: same seed + same threads=1 -> same graph
  // kInt8 REQUIRES dim <= 65536 (the int32 sums of the int8 kernels).
  Quantization quantization = Quantization::kNone;
  // int8: the share of all values the quantization range covers; the rest are clamped to it.
  // 1.0 (the full range) by default: Qdrant's 0.99 clamps about one value in a hundred, which on
  // Gaussian clusters (100k x 128, cosine) cost recall@10 0.994 -> 0.977 at the same ef. A lower
  // value suits data with a few extreme outliers.
  float quantile = 1.0f;
  // When set, Build() checks it before each insertion and returns nullptr soon after it turns
  // true (a collection dropped while its index is built). Not kept in the built index.
  const std::atomic<bool>* cancel = nullptr;
};

// Which ids a search may return (payload filters). Called during traversal, on the searching
// thread, for the nodes close enough to enter the results: refused nodes are still traversed,
// so the graph stays connected, but never returned. The more it refuses, the more of the graph
// a search walks (a filter that allows 1% of the ids visits most of it; the caller may prefer
// an exact scan of the allowed ids then).
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
  size_t ef = 0;                     // candidate list size; 0: max(k, 64); raised to at least k
  const IdFilter* filter = nullptr;  // null: every non-deleted id
  // With quantization: re-rank the candidate list (ef entries, at least k * oversampling) on the
  // float vectors, so the result is the exact top k of those candidates and the reported
  // distances are exact. int8 skips the candidates whose error bound shows they cannot make the
  // top k; binary re-ranks them all. Without rescoring the distances are the code distances:
  // int8 estimates in the metric's units, binary the Hamming distance. Without quantization
  // both fields are ignored.
  bool rescore = true;
  float oversampling = 1.0f;
};

class HnswIndex {
 public:
  // Builds the graph over `n` vectors of `dim` floats at data[i * dim] (id i).
  // REQUIRES: n <= 2^31, dim >= 1.
  static std::unique_ptr<HnswIndex> Build(const float* data, size_t n, size_t dim, Metric metric,
                                          const HnswParams& params);

  // The `k` nearest allowed, non-deleted ids, closest first (fewer when fewer exist).
  // REQUIRES: query holds dim() floats. Allocates nothing but the result once warm (per-thread
  // scratch is pooled inside the index).
  std::vector<Neighbor> Search(const float* query, const SearchParams& params) const;

  // Qdrant's `payload_m`: adds up to `payload_m` extra layer-0 links per id among `ids` (the
  // points sharing one indexed keyword value; ids out of range and duplicates are ignored), so a
  // search filtered to that value stays connected even when the value is rare. The links come
  // from a small HNSW graph built over just those points. Called after Build(), before the
  // index is shared.
  void AddPayloadLinks(const std::vector<uint32_t>& ids, uint32_t payload_m);

  // Excludes `id` from every later search. Ids out of range are ignored.
  void MarkDeleted(uint32_t id);

  // Whether Search() with `params` reports exact float distances (no quantization, or
  // rescoring), equal to the metric's kernel over the query and the stored vector.
  bool ReportsExactDistances(const SearchParams& params) const;

  size_t size() const;                  // n, deleted included
  size_t dim() const;
  Metric metric() const;
  // Bytes held: vectors, codes and their terms, links, deletion marks, pooled search scratch.
  size_t MemoryBytes() const;

  // Persistence: one file with a format version, the parameters, a checksum over the contents
  // (docs/formats/hnsw-index.md). Save() writes `path`.tmp, syncs it and renames it over `path`;
  // I/O errors are kInternal. Load() refuses with kInvalidArgument (never a crash) a file that is
  // truncated, damaged (checksum mismatch, out-of-range fields or links) or of another version,
  // kNotFound a missing file, kInternal other I/O errors; the caller then rebuilds. A loaded
  // index answers every search exactly as the saved one did.
  Status Save(const std::string& path) const;
  static StatusOr<std::unique_ptr<HnswIndex>> Load(const std::string& path);

  ~HnswIndex();

 private:
  HnswIndex();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver::index
