#pragma once
// Collection: the points of one collection, in memory, backed by the KvStore.
//
// Thread safety: every public method may be called concurrently. Writes take the collection's
// lock exclusively, so they are applied one at a time in arrival order; reads share it.
//
// Invariants: `offsets_` maps each live point id to its slot; a slot's vectors sit at the same
// index in every column; every payload index holds exactly the live slots' current values.
// Every applied write is in the KvStore's log before Apply() returns.
// Search over a dense vector goes through its HNSW segment (vector_index.h) plus an exact scan of
// the vectors not in it, unless the planner finds the filtered set small enough to score
// exactly; everything else is an exact scan over the slots (SIMD distances), narrowed by the
// payload indexes to the candidates of the filter. Segments are built in the background by the
// Optimizer (optimizer.h); searches never wait for a build.

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "collection/config.h"
#include "collection/operations.h"
#include "collection/payload_indexes.h"
#include "collection/point_codec.h"
#include "collection/query.h"
#include "collection/vector_index.h"
#include "storage/kv_store.h"

namespace quiver {

struct ScrollResult {
  std::vector<PointOut> points;
  std::optional<PointId> next_page_offset;
};

struct FacetHit {
  Json value;
  size_t count = 0;
};

struct GroupResult {
  Json id;
  std::vector<PointOut> hits;
};

struct MatrixResult {
  std::vector<PointId> ids;  // the sampled points
  struct Entry {
    size_t row, col;  // indices into ids
    float score;
  };
  std::vector<Entry> entries;
};

class Collection {
 public:
  Collection(uint64_t uid, std::string name, CollectionConfig config, KvStore* store);
  // Waits for a build of this collection in progress; removes its index files when dropped.
  ~Collection();

  // Where the HNSW segment files live (<storage>/indexes/<uid>); "" (the default) keeps indexes
  // in memory only. Set before Load().
  void SetIndexDirectory(std::string dir) { index_dir_ = std::move(dir); }
  // The collection was deleted: no more builds (one in progress stops), and its index files go
  // with the object.
  void MarkDropped() {
    dropped_ = true;
    stop_builds_ = true;
  }

  // Rebuilds in-memory state from the store. Called once, before the collection is shared.
  Status Load();

  const std::string& name() const { return name_; }
  uint64_t uid() const { return uid_; }
  CollectionConfig config() const;
  // Applies a PATCH body to the config; the caller persists it (the catalog owns meta keys).
  Status UpdateConfig(const Json& patch, CollectionConfig* updated);

  // Adds or removes a named vector. Removing rewrites the points that had it; `persist_meta`
  // adds the catalog's config record to the same batch, so the change is atomic on disk.
  using MetaWriter = std::function<void(const CollectionConfig&, WriteBatch*)>;
  Status AddVectorName(const std::string& name, const Json& body, const MetaWriter& persist_meta);
  Status RemoveVectorName(const std::string& name, const MetaWriter& persist_meta);

  // Applies the operations in order, atomically with respect to readers and validation: when
  // one is invalid nothing is changed.
  // Takes the operations by value: their vectors are conformed (Cosine normalised) in place.
  StatusOr<UpdateResult> Apply(std::vector<UpdateOperation> ops, bool wait);

  // Payload indexes (`PUT /collections/{c}/index`): field -> {data_type, params}. Creating builds
  // the index from the stored points (replacing an index on the same field); kInvalidArgument for
  // a bad path or text params Quiver cannot honour.
  Status CreatePayloadIndex(const std::string& field, const Json& schema);
  Status DeletePayloadIndex(const std::string& field);

  // Reads.
  StatusOr<std::vector<PointOut>> Retrieve(const std::vector<PointId>& ids,
                                           const PayloadSelector& with_payload,
                                           const VectorSelector& with_vector) const;
  StatusOr<ScrollResult> Scroll(const std::optional<Filter>& filter, size_t limit,
                                const std::optional<PointId>& offset,
                                const std::optional<OrderBy>& order_by,
                                const PayloadSelector& with_payload,
                                const VectorSelector& with_vector) const;
  size_t Count(const std::optional<Filter>& filter) const;
  // Vector inputs given by id are looked up in this collection (the front end has replaced
  // those of `lookup_from` by vectors already), and those points are left out of the results.
  StatusOr<std::vector<PointOut>> Query(const QueryRequest& request) const;
  StatusOr<std::vector<GroupResult>> QueryGroups(const QueryRequest& request,
                                                 const std::string& group_by,
                                                 size_t group_size) const;
  StatusOr<std::vector<FacetHit>> Facet(const std::string& key, const std::optional<Filter>& filter,
                                        size_t limit) const;
  StatusOr<MatrixResult> Matrix(const std::optional<Filter>& filter, size_t sample, size_t limit,
                                const std::string& using_vector) const;
  StatusOr<VectorValue> GetVector(const PointId& id, const std::string& name) const;
  // How many points `filter` matches, estimated from the payload indexes (the query planner's
  // input); no filter: exactly the number of points.
  CardinalityEstimate EstimateCardinality(const std::optional<Filter>& filter) const;

  // The `result` of `GET /collections/{name}`.
  Json Info() const;
  // `GET /collections/{name}/optimizations` (Qdrant's OptimizationsResponse); the optional parts
  // only when asked for.
  Json Optimizations(bool with_queued, bool with_completed, bool with_idle,
                     size_t completed_limit) const;

  // Builds the HNSW segment of every dense vector whose unindexed part passed
  // indexing_threshold (or whose segment was built with other settings). Called by the Optimizer
  // thread; safe to call from anywhere (one build per collection at a time).
  void RunOptimization();

 private:
  struct Slot {
    PointId id;
    Json payload;  // an object
    uint64_t version = 0;
    bool live = false;
  };
  struct DenseColumn {
    size_t dim = 0;
    Distance distance = Distance::kCosine;
    std::vector<float> data;       // slots * dim
    std::vector<uint8_t> present;  // per slot
    std::unique_ptr<VectorIndex> index;  // never null
    uint64_t generation = 0;  // changes when the vector is removed and added again
    IndexSettings settings;   // from config_, kept current by RefreshIndexSettings
  };
  using BuildRecord = IndexBuildRecord;
  struct Scored {
    uint32_t slot;
    float score;
  };
  class Scorer;  // search.cc

  // Writes (collection.cc). REQUIRES: mu_ held exclusively.
  // Checks one operation and conforms its vectors in place.
  Status Validate(UpdateOperation* op) const;
  void ApplyOne(const UpdateOperation& op, uint64_t version, std::vector<uint32_t>* touched);
  uint32_t SlotFor(const PointId& id);
  void SetVectors(uint32_t slot, const NamedVectors& vectors, bool replace_all);
  void RemoveVector(uint32_t slot, const std::string& name);
  std::vector<uint32_t> SelectSlots(const PointSelector& selector) const;
  std::string PointKey(const PointId& id) const;
  StoredPoint ToStored(uint32_t slot) const;
  void Insert(const PointId& id, StoredPoint point);  // for Load()
  // Indexes every live slot into a new field's index.
  void BuildIndex(PayloadIndexes::Field* field) const;

  // A request's filter made ready for this collection: text conditions bound to the text
  // indexes, and (with_candidates) the slots the payload indexes allow, a superset of the
  // matches. Points into the caller's filter, which must outlive it.
  struct SlotFilter {
    const Filter* filter = nullptr;        // null: no filter
    std::shared_ptr<const Filter> bound;   // owns *filter when binding had to copy it
    std::optional<index::Bitmap> candidates;  // nullopt: every slot may match
  };

  // Reads (collection_read.cc, search.cc). REQUIRES: mu_ held (shared is enough).
  SlotFilter PrepareFilter(const std::optional<Filter>& filter, bool with_candidates = true) const;
  // Whether a live slot satisfies the prepared filter (candidates are not consulted).
  bool Passes(uint32_t slot, const SlotFilter& filter) const;
  // Whether `slot` is live, among the candidates and passes.
  bool Admits(uint32_t slot, const SlotFilter& filter) const;
  // Calls fn(slot) for each live slot matching `filter`, in slot order.
  template <typename Fn>
  void ForEachMatch(const SlotFilter& filter, Fn&& fn) const;
  CardinalityEstimate EstimateLocked(const std::optional<Filter>& filter) const;
  // Calls fn(value, slot) for the values of the range index on `key` in value order until fn
  // returns false (datetimes as seconds since the epoch). No such index: nothing.
  void ForEachOrderedValue(const std::string& key, bool descending,
                           const std::function<bool(double, uint32_t)>& fn) const;
  StatusOr<ScrollResult> ScrollOrdered(const std::optional<Filter>& filter, size_t limit,
                                       const OrderBy& order_by, const PayloadSelector& with_payload,
                                       const VectorSelector& with_vector) const;
  PayloadIndexes::SlotOf SlotLookup() const;
  // Re-indexes a slot's payload after a write. REQUIRES: mu_ held exclusively.
  void Reindex(uint32_t slot);

  // HNSW segments (collection_vector_index.cc). REQUIRES: mu_ held (shared is enough) unless
  // stated otherwise.
  // Why the column's graph needs a build, by Qdrant's optimizer names ("config mismatch",
  // "vacuum", "indexing"), or null when it needs none.
  const char* BuildReason(const DenseColumn& column, const IndexSettings& settings) const;
  bool NeedsBuild(const DenseColumn& column, const IndexSettings& settings) const {
    return BuildReason(column, settings) != nullptr;
  }
  // Reads every dense column's IndexSettings from config_ again (queries use them on every call,
  // so they are not parsed from the JSON config each time). REQUIRES: mu_ held exclusively.
  void RefreshIndexSettings();
  // Qdrant's collection status: "yellow" while a build runs, "grey" while a vector needs one,
  // "green" otherwise.
  const char* StatusColor() const;
  // Queues this collection with the Optimizer when some vector needs a build.
  void MaybeScheduleOptimization();
  // Installs the segment files found in index_dir_ (Load). REQUIRES: mu_ held exclusively.
  void LoadSegments();
  void BuildVectorIndex(const std::string& name);  // REQUIRES: build_mu_ held, mu_ not held
  // The nearest slots to `query` (conformed) among those passing `filter` and `eligible` (empty:
  // every slot that has the vector), through
  // the segment of req.using_vector plus an exact scan of its pending slots, scored by `score`
  // (the exact similarity). nullopt when the planner prefers the exact scan: no segment,
  // `exact`, a filtered set under full_scan_threshold, or a limit near the collection's size.
  std::optional<std::vector<Scored>> IndexedNearest(
      const QueryRequest& req, const DenseVector& query, const SlotFilter& filter,
      const std::function<bool(uint32_t)>& eligible, const std::function<float(uint32_t)>& score,
      std::optional<float> threshold, size_t limit) const;
  // Every vector name in with_vector must exist in the config.
  Status CheckVectorSelector(const VectorSelector& selector) const;
  // order_by needs a range-capable payload index on the key (Qdrant's rule).
  Status CheckRangeIndex(const std::string& key) const;
  bool HasVector(uint32_t slot, std::string_view name) const;
  NamedVectors VectorsOf(uint32_t slot) const;
  PointOut Render(uint32_t slot, const PayloadSelector& with_payload,
                  const VectorSelector& with_vector) const;
  StatusOr<std::vector<Scored>> RunQuery(const QueryRequest& request, size_t limit) const;
  StatusOr<VectorValue> ResolveInput(const VectorInput& input, const std::string& using_vector,
                                     std::vector<PointId>* used_ids) const;
  StatusOr<VectorValue> VectorAt(uint32_t slot, const std::string& name) const;

  const uint64_t uid_;
  const std::string name_;
  KvStore* const store_;

  mutable std::shared_mutex mu_;
  CollectionConfig config_;
  PayloadIndexes indexes_;
  uint64_t next_operation_id_ = 0;
  std::vector<Slot> slots_;
  std::unordered_map<PointId, uint32_t, PointIdHash> offsets_;
  std::map<std::string, DenseColumn> dense_;
  // Sparse vectors and multivectors, per slot (absent = the point has no such vector).
  std::map<std::string, std::vector<std::optional<VectorValue>>> other_;
  uint64_t next_generation_ = 1;

  // Index builds. index_dir_ is set before Load and read-only afterwards.
  std::string index_dir_;
  std::atomic<bool> dropped_{false};
  // A build in progress stops and installs nothing (HnswParams::cancel): set when the collection
  // is dropped or destroyed, so that neither DELETE nor shutdown waits for a long build.
  std::atomic<bool> stop_builds_{false};
  std::atomic<bool> used_optimizer_{false};
  std::mutex build_mu_;       // one build of this collection at a time; taken before mu_
  mutable std::mutex opt_mu_;  // a leaf: guards the two members below
  std::optional<BuildRecord> running_build_;
  std::deque<BuildRecord> completed_builds_;  // newest last, at most 16
};

template <typename Fn>
void Collection::ForEachMatch(const SlotFilter& filter, Fn&& fn) const {
  if (filter.candidates) {
    for (uint32_t s : *filter.candidates) {
      if (s < slots_.size() && slots_[s].live && Passes(s, filter)) fn(s);
    }
    return;
  }
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].live && Passes(s, filter)) fn(s);
  }
}

// Storage key prefixes (docs/formats/storage-keys.md).
std::string PointKeyPrefix(uint64_t collection_uid);
std::string PayloadIndexKey(uint64_t collection_uid, const std::string& field);
std::string PayloadIndexKeyPrefix(uint64_t collection_uid);

}  // namespace quiver
