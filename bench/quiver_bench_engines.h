#pragma once
// The engines quiver-bench compares: Quiver's HnswIndex (float32 and int8), hnswlib and FAISS's
// IndexHNSWFlat, behind one small interface so that the sweep and the report treat them alike.
//
// Each engine lives in its own translation unit: hnswlib's is compiled with -O3 -march=native (the
// peer at its best); FAISS is the Debian static library as shipped; Quiver's is built like the rest
// of Quiver (its kernels pick their instruction set at run time).
//
// Thread safety: none. An engine is built, then searched, by one thread at a time; Build() may use
// `build_threads` threads internally, and every search runs on the calling thread alone.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "quiver_bench_data.h"

namespace quiver::bench {

struct BuildOptions {
  uint32_t m = 16;
  uint32_t ef_construct = 100;
  int build_threads = 2;
};

// One filter condition (a keyword value) evaluated over the base: the matching ids, ascending,
// and one byte per base id (1 = matches).
struct FilterSet {
  std::string value;
  double selectivity = 0;
  std::vector<uint32_t> ids;
  std::vector<uint8_t> mask;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;

  // Builds the index over data.base with the data's metric. Errors: whatever the library reports.
  virtual Status Build(const Dataset& data, const BuildOptions& options) = 0;
  // Bytes held by the index (vectors, codes, links), as far as the library lets us count.
  virtual size_t MemoryBytes() const = 0;

  // Restricts later searches to `filter` (null: no restriction). The preparation (marks, bitmaps)
  // happens here so that the timed searches do not include it. Returns false when the engine
  // cannot filter. REQUIRES: `filter` outlives the searches that use it.
  virtual bool SetFilter(const FilterSet* filter) = 0;

  // Searches every query with candidate list size `ef` on the calling thread alone, writing the
  // ids it returns for query q, closest first, to (*results)[q] (resized to data.nq).
  virtual void SearchAll(const Dataset& data, size_t k, size_t ef,
                         std::vector<std::vector<uint32_t>>* results) = 0;
};

enum class QuiverVariant { kFloat32, kInt8 };

// Quiver's HnswIndex. Beyond Engine: Qdrant's payload links and the planner's exact path.
class QuiverEngine : public Engine {
 public:
  // Adds `payload_m` extra layer-0 links among the ids of `filter` (see HnswIndex).
  virtual void AddPayloadLinks(const FilterSet& filter, uint32_t payload_m) = 0;
};

std::unique_ptr<QuiverEngine> MakeQuiverEngine(QuiverVariant variant);
std::unique_ptr<Engine> MakeHnswlibEngine();
std::unique_ptr<Engine> MakeFaissEngine();

}  // namespace quiver::bench
