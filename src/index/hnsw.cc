// HnswIndex: search, deletion marks and accessors. Building is in hnsw_build.cc, payload links
// in hnsw_payload.cc, persistence in hnsw_io.cc; the storage layout is described in
// hnsw_graph.h.

#include "index/hnsw.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "index/hnsw_graph.h"
#include "index/hnsw_layer.h"
#include "index/hnsw_space.h"

namespace quiver::index {
namespace {

using internal::DistId;
using internal::Graph;
using internal::SearchContext;

// Returns the pool's context to it when the search ends.
class ContextLease {
 public:
  explicit ContextLease(internal::ContextPool& pool) : pool_(pool), ctx_(pool.Acquire()) {}
  ~ContextLease() { pool_.Release(std::move(ctx_)); }
  SearchContext& operator*() const { return *ctx_; }

 private:
  internal::ContextPool& pool_;
  std::unique_ptr<SearchContext> ctx_;
};

// Leaves `best` in `found`, ascending.
void Finish(std::vector<DistId>& found, const std::vector<DistId>& best) {
  found.assign(best.begin(), best.end());
  std::sort(found.begin(), found.end());
}

void PrefetchVector(const Graph& g, uint32_t id) {
  const auto* v = reinterpret_cast<const uint8_t*>(g.Vector(id));
  for (size_t off = 0; off < g.dim * sizeof(float); off += 64) __builtin_prefetch(v + off, 0, 3);
}

// Re-ranks ctx.scratch (candidates by code distance, ascending) on exact float distances and
// leaves the best k of them there, ascending. A candidate whose lower bound (Space::LowerBound)
// already exceeds the k-th exact distance found so far cannot enter the top k and is skipped
// without touching its float vector, so the result equals rescoring every candidate.
//
// The first k are always computed; their k-th distance only shrinks afterwards, so the others
// whose bound is below it are a superset of those still needed, and all their vectors are
// requested at once: rescoring is a burst of independent cache misses, not a chain of them.
template <typename Space>
void Rescore(const Graph& g, const Space& space, const internal::Query& q, const float* query,
             size_t k, SearchContext& ctx) {
  std::vector<DistId>& found = ctx.scratch;
  std::vector<DistId>& best = ctx.top;  // max-heap of exact distances, at most k
  best.clear();
  const size_t first = std::min(k, found.size());
  for (size_t i = 0; i < first; ++i) PrefetchVector(g, found[i].second);
  if (!g.int8_terms.empty()) {
    for (size_t i = first; i < found.size(); ++i) {  // the bounds' terms
      __builtin_prefetch(g.int8_terms.data() + found[i].second, 0, 3);
    }
  }
  const auto add = [&](float distance, uint32_t id) {
    best.emplace_back(distance, id);
    std::push_heap(best.begin(), best.end());
    if (best.size() > k) {
      std::pop_heap(best.begin(), best.end());
      best.pop_back();
    }
  };
  for (size_t i = 0; i < first; ++i) {
    add(g.ExactDistance(query, g.Vector(found[i].second)), found[i].second);
  }
  if (best.size() < k) return Finish(found, best);
  // found[i].first becomes the candidate's bound; +inf marks one already out of reach.
  const float reach = best.front().first;
  for (size_t i = first; i < found.size(); ++i) {
    found[i].first = space.LowerBound(q, found[i].first, found[i].second);
    if (found[i].first < reach) {
      PrefetchVector(g, found[i].second);
    } else {
      found[i].first = std::numeric_limits<float>::infinity();
    }
  }
  for (size_t i = first; i < found.size(); ++i) {
    if (found[i].first >= best.front().first) continue;
    add(g.ExactDistance(query, g.Vector(found[i].second)), found[i].second);
  }
  Finish(found, best);
}

template <typename Space>
std::vector<Neighbor> SearchWith(const Graph& g, const Space& space, const float* query,
                                 const SearchParams& params) {
  ContextLease lease(g.pool);
  SearchContext& ctx = *lease;
  ctx.EnsureCodeCapacity(g.code_bytes);
  const internal::Query q = space.MakeQuery(query, ctx.query_code.get());

  const bool quantized = g.params.quantization != Quantization::kNone;
  const bool rescore = quantized && params.rescore;
  const size_t k = params.k;
  size_t rescore_count = k;
  if (rescore && params.oversampling > 1.0f) {  // false for NaN
    // Capped at n: an infinite or huge oversampling cannot ask for more than there is.
    const double wanted = std::ceil(static_cast<double>(k) * params.oversampling);
    rescore_count = wanted < static_cast<double>(g.n) ? static_cast<size_t>(wanted) : g.n;
  }
  size_t ef = params.ef != 0 ? params.ef : std::max<size_t>(k, 64);
  ef = std::max(ef, rescore_count);

  uint32_t ep = g.entry;
  float ep_dist = space.Dist(q, ep);
  internal::GreedyDescend<false>(g, space, q, g.max_level, 0, &ep, &ep_dist, ctx);

  const IdFilter* filter = params.filter;
  std::vector<DistId>& found = ctx.scratch;
  if (filter != nullptr || g.AnyDeleted()) {
    const auto allowed = [&g, filter](uint32_t id) {
      return !g.IsDeleted(id) && (filter == nullptr || filter->Allows(id));
    };
    internal::SearchLayerFiltered(g, space, q, ep, ep_dist, ef, allowed, ctx);
    found.assign(ctx.top.begin(), ctx.top.end());
    std::sort(found.begin(), found.end());
  } else {
    internal::SearchLayer<false>(g, space, q, ep, ep_dist, 0, ef, ctx);
  }
  if (rescore) Rescore(g, space, q, query, k, ctx);
  const size_t count = std::min(found.size(), k);
  std::vector<Neighbor> result(count);
  for (size_t i = 0; i < count; ++i) result[i] = {found[i].second, found[i].first};
  return result;
}

}  // namespace

HnswIndex::HnswIndex() : impl_(std::make_unique<Impl>()) {}
HnswIndex::~HnswIndex() = default;

std::vector<Neighbor> HnswIndex::Search(const float* query, const SearchParams& params) const {
  const Impl& g = *impl_;
  if (g.n == 0 || params.k == 0 || g.max_level < 0) return {};
  return internal::WithSpace(
      g, [&](const auto& space) { return SearchWith(g, space, query, params); });
}

void HnswIndex::MarkDeleted(uint32_t id) {
  Impl& g = *impl_;
  if (id >= g.n) return;
  g.deleted[id >> 6].fetch_or(uint64_t{1} << (id & 63), std::memory_order_acq_rel);
  g.any_deleted.store(true, std::memory_order_release);
}

bool HnswIndex::ReportsExactDistances(const SearchParams& params) const {
  return impl_->params.quantization == Quantization::kNone || params.rescore;
}

size_t HnswIndex::size() const { return impl_->n; }
size_t HnswIndex::dim() const { return impl_->dim; }
Metric HnswIndex::metric() const { return impl_->metric; }
size_t HnswIndex::MemoryBytes() const { return sizeof(HnswIndex) + impl_->MemoryBytes(); }

}  // namespace quiver::index
