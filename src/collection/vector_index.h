#pragma once
// VectorIndex: the indexed part of one dense vector of a collection. An HNSW graph (index/hnsw.h)
// built over the vectors of the slots present when the build started (local id -> slot), and the
// bookkeeping that keeps searches exact about everything else:
//   fresh    slots whose current vector is the one in the graph (searched through the graph)
//   pending  live slots with a vector that is not in the graph: written after the build started,
//            or updated since (the "appendable" part, scanned exactly)
// A slot whose vector changes or whose point is deleted leaves `fresh` at once and its local id is
// marked deleted in the graph, so the graph never returns a stale vector.
//
// Persistence: SaveSegment writes <dir>/<stem>.hnsw (HnswIndex::Save) and <dir>/<stem>.map (the
// point id and version of every local id, the build settings and a checksum of the .hnsw file);
// LoadSegment reads them back and refuses anything damaged or inconsistent, and the collection then
// treats each point whose version differs (or that is gone) as stale.
//
// Thread safety: none; the collection's lock guards it. The graph itself may be searched by several
// readers at once (shared lock) and is changed only by MarkDeleted under the exclusive lock.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collection/config.h"
#include "collection/point_id.h"
#include "common/status.h"
#include "index/hnsw.h"
#include "index/payload_index.h"

namespace quiver {

// The index settings of one dense vector: the collection's hnsw_config, optimizers_config and
// quantization_config, with the vector's own hnsw_config / quantization_config over them.
struct IndexSettings {
  uint64_t indexing_threshold_kb = 10000;  // 0: never build
  // Vacuum (optimizers_config): a graph is rebuilt once more than `deleted_threshold` of its
  // vectors, and at least `vacuum_min_vector_number` of them, are no longer current.
  double deleted_threshold = 0.2;
  uint64_t vacuum_min_vector_number = 1000;
  uint64_t full_scan_threshold_kb = 10000;
  uint32_t m = 16;  // 0: no graph (Qdrant: payload links only; Quiver: no index)
  uint32_t ef_construct = 100;
  uint32_t payload_m = 16;
  uint32_t build_threads = 1;
  index::Quantization quantization = index::Quantization::kNone;
  float quantile = 1.0f;  // int8: quantization_config.scalar.quantile (default: the full range)

  // What shapes the graph: a segment built under another key is rebuilt.
  std::string GraphKey() const;
};
IndexSettings IndexSettingsOf(const CollectionConfig& config, const std::string& vector);

class VectorIndex {
 public:
  static constexpr uint32_t kNoLocal = UINT32_MAX;

  struct Segment {
    std::shared_ptr<index::HnswIndex> graph;
    std::vector<uint32_t> local_to_slot;  // kNoLocal: the local id is stale (marked deleted)
    std::vector<uint64_t> versions;       // point version per local id when the build started
    std::string graph_key;
    std::string uuid;  // names the segment in the optimizations report
  };

  VectorIndex(size_t dim, Distance distance) : dim_(dim), distance_(distance) {}

  size_t dim() const { return dim_; }
  index::Metric metric() const;
  const Segment* segment() const { return segment_ ? &*segment_ : nullptr; }
  const index::Bitmap& fresh() const { return fresh_; }
  const index::Bitmap& pending() const { return pending_; }
  uint64_t PendingKb() const { return pending_.cardinality() * dim_ * sizeof(float) / 1024; }
  // The graph's vectors that are no longer current (their point deleted or its vector changed).
  size_t StaleCount() const {
    return segment_ ? segment_->graph->size() - fresh_.cardinality() : 0;
  }
  // The slot of a local id whose vector is current, or kNoLocal.
  uint32_t FreshSlot(uint32_t local) const;

  // A slot's vector was written or removed (point deleted: present = false).
  void VectorChanged(uint32_t slot, bool present);
  // A build is taking its copy now: changes from here on stay pending after Install. REQUIRES: no
  // writer runs concurrently (the caller holds the collection lock).
  void BuildStarted();
  void BuildEnded() { tracking_ = false; }
  // Forgets the graph (a build found no vector to index): every vector is pending again.
  void DropSegment();
  // Makes `segment` the graph: its locals whose slot changed since BuildStarted, or whose slot is
  // kNoLocal, are marked deleted; the others become fresh and leave pending.
  void Install(Segment segment);

 private:
  size_t dim_;
  Distance distance_;
  std::optional<Segment> segment_;
  std::vector<uint32_t> slot_to_local_;  // kNoLocal when the slot has no fresh local id
  index::Bitmap fresh_, pending_, changed_;
  bool tracking_ = false;
};

// One index build, for the optimizations report.
struct IndexBuildRecord {
  std::string uuid, vector, error;
  std::string optimizer = "indexing";  // Qdrant's optimizer name: why the graph was (re)built
  uint64_t points = 0;
  std::chrono::system_clock::time_point started, finished;
  bool done = false;
};

// The file names of a vector's segment inside the collection's index directory.
std::string SegmentStem(const std::string& vector_name);

// Writes the segment's two files atomically (temporary files renamed into place). `ids` holds the
// point id of each local id.
Status SaveSegment(const std::string& dir, const std::string& vector_name,
                   const VectorIndex::Segment& segment, const std::vector<PointId>& ids);

struct LoadedSegment {
  VectorIndex::Segment segment;  // local_to_slot empty: the caller maps ids to slots
  std::vector<PointId> ids;
};
// Reads a segment back. kNotFound when there is none; kInternal / kInvalidArgument when a file is
// damaged, truncated or does not belong with the other.
StatusOr<LoadedSegment> LoadSegment(const std::string& dir, const std::string& vector_name);
// Removes a vector's segment files (missing files are fine).
void RemoveSegment(const std::string& dir, const std::string& vector_name);

}  // namespace quiver
