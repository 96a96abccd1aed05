// The HNSW segments of a collection: loading their files, deciding and running builds, and the
// planner that sends a nearest-neighbour search through a segment or to the exact scan.
#include <spdlog/spdlog.h>

#include <cmath>
#include <mutex>
#include <random>

#include "collection/collection.h"
#include "collection/optimizer.h"

namespace quiver {
namespace {

std::string RandomUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng(std::random_device{}());
  uint64_t hi, lo;
  {
    std::lock_guard lock(mu);
    hi = rng();
    lo = rng();
  }
  hi = (hi & ~0xF000ULL) | 0x4000ULL;        // version 4
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);  // variant 1
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

// Lets the graph return a local id only when its vector is current, the point passes the request's
// filter and the caller's `eligible` (has the vector, not excluded).
class SlotIdFilter final : public index::IdFilter {
 public:
  SlotIdFilter(const VectorIndex& vi, const std::function<bool(uint32_t)>& admits)
      : vi_(vi), admits_(admits) {}
  bool Allows(uint32_t local) const override {
    uint32_t slot = vi_.FreshSlot(local);
    return slot != VectorIndex::kNoLocal && admits_(slot);
  }

 private:
  const VectorIndex& vi_;
  const std::function<bool(uint32_t)>& admits_;
};

}  // namespace

const char* Collection::BuildReason(const DenseColumn& column,
                                    const IndexSettings& settings) const {
  if (settings.indexing_threshold_kb == 0 || settings.m == 0) return nullptr;
  const VectorIndex& vi = *column.index;
  // A segment built with other settings (hnsw_config or quantization changed) is rebuilt.
  if (vi.segment() != nullptr && vi.segment()->graph_key != settings.GraphKey()) {
    return "config mismatch";
  }
  // Vacuum, by Qdrant's rule for a vector index: enough of the graph is stale. Until then the
  // stale vectors stay in it, marked deleted (searches skip them, walks still pass through them).
  if (vi.segment() != nullptr) {
    const size_t stale = vi.StaleCount();
    const double stale_share =
        static_cast<double>(stale) / static_cast<double>(vi.segment()->graph->size());
    if (stale >= settings.vacuum_min_vector_number && stale_share > settings.deleted_threshold) {
      return "vacuum";
    }
  }
  if (!vi.pending().isEmpty() && vi.PendingKb() >= settings.indexing_threshold_kb) {
    return "indexing";
  }
  return nullptr;
}

void Collection::MaybeScheduleOptimization() {
  if (dropped_) return;
  for (const auto& [name, col] : dense_) {
    if (NeedsBuild(col, col.settings)) {
      used_optimizer_ = true;
      Optimizer::Instance().Request(this);
      return;
    }
  }
}

void Collection::LoadSegments() {
  if (index_dir_.empty()) return;
  for (auto& [name, col] : dense_) {
    auto loaded = LoadSegment(index_dir_, name);
    if (!loaded.ok()) {
      if (loaded.status().code() != StatusCode::kNotFound) {
        spdlog::warn("collection {}: index of vector '{}' not loaded, it will be rebuilt: {}",
                     name_, name, loaded.status().message());
      }
      continue;
    }
    VectorIndex::Segment& seg = loaded->segment;
    if (seg.graph->dim() != col.dim || seg.graph->metric() != col.index->metric()) {
      spdlog::warn("collection {}: index of vector '{}' does not fit the vector, rebuilding", name_,
                   name);
      continue;
    }
    // A point that is gone, or whose version differs from the build's, is stale.
    seg.local_to_slot.assign(loaded->ids.size(), VectorIndex::kNoLocal);
    for (size_t local = 0; local < loaded->ids.size(); ++local) {
      auto it = offsets_.find(loaded->ids[local]);
      if (it == offsets_.end()) continue;
      uint32_t slot = it->second;
      if (slots_[slot].version == seg.versions[local] && col.present[slot]) {
        seg.local_to_slot[local] = slot;
      }
    }
    col.index->Install(std::move(seg));
  }
}

void Collection::RunOptimization() {
  std::lock_guard build(build_mu_);
  std::vector<std::string> names;
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, col] : dense_) names.push_back(name);
  }
  for (const std::string& name : names) {
    if (dropped_) return;
    BuildVectorIndex(name);
  }
}

void Collection::BuildVectorIndex(const std::string& name) {
  // 1. Copy what the build needs, under the shared lock (writers wait, searches go on).
  IndexSettings settings;
  size_t dim = 0;
  index::Metric metric = index::Metric::kDot;
  uint64_t generation = 0;
  std::vector<float> data;
  std::vector<PointId> ids;
  VectorIndex::Segment segment;
  std::vector<std::vector<uint32_t>> payload_groups;  // local ids sharing one keyword value
  std::string optimizer;                              // why: the report's optimizer name
  {
    std::shared_lock lock(mu_);
    auto it = dense_.find(name);
    if (it == dense_.end()) return;
    DenseColumn& col = it->second;
    settings = col.settings;
    const char* reason = BuildReason(col, settings);
    if (reason == nullptr) return;
    optimizer = reason;
    dim = col.dim;
    metric = col.index->metric();
    generation = col.generation;
    // Only this thread (build_mu_) touches the build bookkeeping under a shared lock, and no writer
    // runs while it is held.
    col.index->BuildStarted();
    std::vector<uint32_t> local_of(slots_.size(), VectorIndex::kNoLocal);
    for (uint32_t s = 0; s < slots_.size(); ++s) {
      if (!slots_[s].live || !col.present[s]) continue;
      local_of[s] = static_cast<uint32_t>(segment.local_to_slot.size());
      segment.local_to_slot.push_back(s);
      segment.versions.push_back(slots_[s].version);
      ids.push_back(slots_[s].id);
      const float* v = col.data.data() + size_t{s} * dim;
      data.insert(data.end(), v, v + dim);
    }
    // payload_m: extra links among the points of each keyword value too big to scan exactly.
    uint64_t min_points = std::max<uint64_t>(1, settings.full_scan_threshold_kb * 1024 / (dim * 4));
    for (const PayloadIndexes::Field& f : indexes_.fields()) {
      const auto* words = dynamic_cast<const index::KeywordIndex*>(f.index.get());
      if (settings.payload_m == 0 || words == nullptr) continue;
      words->ForEachValue([&](const std::string&, const index::Bitmap& slots) {
        if (slots.cardinality() < min_points) return;
        std::vector<uint32_t> group;
        for (uint32_t s : slots) {
          if (s < local_of.size() && local_of[s] != VectorIndex::kNoLocal) {
            group.push_back(local_of[s]);
          }
        }
        payload_groups.push_back(std::move(group));
      });
    }
  }
  if (ids.empty()) {  // only a settings change asked for this build, and nothing is left
    std::unique_lock lock(mu_);
    auto it = dense_.find(name);
    if (it != dense_.end() && it->second.generation == generation) it->second.index->DropSegment();
    return;
  }
  BuildRecord record;
  record.uuid = RandomUuid();
  record.vector = name;
  record.optimizer = optimizer;
  record.points = ids.size();
  record.started = std::chrono::system_clock::now();
  {
    std::lock_guard lock(opt_mu_);
    running_build_ = record;
  }

  // 2. Build with no lock held.
  index::HnswParams params;
  params.m = settings.m;
  params.ef_construct = settings.ef_construct;
  params.build_threads = settings.build_threads;
  params.quantization = settings.quantization;
  params.quantile = settings.quantile;
  params.cancel = &stop_builds_;
  segment.graph = index::HnswIndex::Build(data.data(), ids.size(), dim, metric, params);
  if (segment.graph == nullptr) {
    std::unique_lock lock(mu_);
    if (auto it = dense_.find(name); it != dense_.end()) it->second.index->BuildEnded();
    std::lock_guard status(opt_mu_);
    running_build_.reset();
    return;
  }
  for (const auto& group : payload_groups)
    segment.graph->AddPayloadLinks(group, settings.payload_m);
  segment.graph_key = settings.GraphKey();
  segment.uuid = record.uuid;
  data = std::vector<float>();
  if (!index_dir_.empty() && !dropped_) {
    Status saved = SaveSegment(index_dir_, name, segment, ids);
    if (!saved.ok()) {
      // Still used in memory; the next start rebuilds it.
      spdlog::warn("collection {}: index of vector '{}' not saved: {}", name_, name,
                   saved.message());
      record.error = saved.message();
    }
  }

  // 3. Swap in under the exclusive lock.
  {
    std::unique_lock lock(mu_);
    auto it = dense_.find(name);
    if (it != dense_.end() && it->second.generation == generation) {
      it->second.index->Install(std::move(segment));
    }
    MaybeScheduleOptimization();  // what arrived during the build may already be enough again
  }
  record.finished = std::chrono::system_clock::now();
  record.done = true;
  std::lock_guard lock(opt_mu_);
  running_build_.reset();
  completed_builds_.push_back(std::move(record));
  if (completed_builds_.size() > 16) completed_builds_.pop_front();
}

std::optional<std::vector<Collection::Scored>> Collection::IndexedNearest(
    const QueryRequest& req, const DenseVector& query, const SlotFilter& filter,
    const std::function<bool(uint32_t)>& eligible, const std::function<float(uint32_t)>& score,
    std::optional<float> threshold, size_t limit) const {
  auto it = dense_.find(req.using_vector);
  if (req.exact || it == dense_.end() || it->second.index->segment() == nullptr)
    return std::nullopt;
  const VectorIndex& vi = *it->second.index;
  if (limit == 0 || limit > vi.fresh().cardinality() / 2) return std::nullopt;
  const IndexSettings& settings = it->second.settings;
  if (filter.filter) {
    // Qdrant's planner: when the matching vectors are few enough, scoring them all is exact and
    // cheap; the graph is for the rest.
    CardinalityEstimate est = indexes_.Estimate(*filter.filter, offsets_.size(), SlotLookup());
    if (est.exp * vi.dim() * sizeof(float) / 1024 < settings.full_scan_threshold_kb) {
      return std::nullopt;
    }
  }
  auto admits = [&](uint32_t slot) {
    return slots_[slot].live && (!filter.candidates || filter.candidates->contains(slot)) &&
           (!eligible || eligible(slot)) && Passes(slot, filter);
  };
  std::function<bool(uint32_t)> admits_fn = admits;
  SlotIdFilter id_filter(vi, admits_fn);
  index::SearchParams params;
  params.k = limit;
  params.ef = std::max(req.hnsw_ef.value_or(settings.ef_construct), limit);
  // Unrestricted (the common query): the graph's own delete marks already exclude deleted and
  // rewritten points, so no per-node callback runs during traversal; results are checked below.
  const bool restricted = filter.filter != nullptr || filter.candidates || eligible;
  params.filter = restricted ? &id_filter : nullptr;
  if (req.quantization) {
    params.rescore = req.quantization->rescore || req.quantization->ignore;
    params.oversampling = std::max(1.0f, req.quantization->oversampling);
  }
  // An exact graph distance is the similarity negated (the graph's vectors are this column's,
  // compared by the same kernel): taking it saves re-reading k cold vectors per query.
  const index::HnswIndex& graph = *vi.segment()->graph;
  const bool graph_scores = graph.ReportsExactDistances(params);
  std::vector<Scored> out;
  for (const index::Neighbor& n : graph.Search(query.data(), params)) {
    uint32_t slot = vi.FreshSlot(n.id);
    if (slot == VectorIndex::kNoLocal || !slots_[slot].live) continue;
    // The exact similarity, as the scan reports it (an infinite distance may be a NaN mapped).
    float sc = graph_scores && std::isfinite(n.distance) ? -n.distance : score(slot);
    if (threshold && sc < *threshold) continue;
    out.push_back({slot, sc});
  }
  // The appendable part: vectors not in the graph, scored exactly. indexed_only leaves it out when
  // it is too big to be a small segment (Qdrant skips large unindexed segments).
  bool skip_pending = req.indexed_only && settings.indexing_threshold_kb > 0 &&
                      vi.PendingKb() >= settings.indexing_threshold_kb;
  if (!skip_pending) {
    for (uint32_t slot : vi.pending()) {  // admits() checks the candidates
      if (!admits(slot)) continue;
      float sc = score(slot);
      if (threshold && sc < *threshold) continue;
      out.push_back({slot, sc});
    }
  }
  return out;
}

}  // namespace quiver
