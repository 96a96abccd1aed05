// HnswIndex::Build: level sampling, insertion (Malkov & Yashunin, Algorithm 1) and the
// neighbour-selection heuristic (Algorithm 4, without extendCandidates / keepPrunedConnections,
// as hnswlib and Qdrant use it).
//
// Threads: ids are handed out by an atomic counter; each thread inserts with its own
// SearchContext. A node's link lists are written and read under its SpinLock, and a node whose
// level tops the graph holds `entry_mu` for its whole insertion (about one node in m^k for level
// k, so rarely). With one thread the insertion order is 0..n-1 and, levels coming from a seeded
// RNG, the graph is a deterministic function of the data and the parameters.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "index/hnsw.h"
#include "index/hnsw_graph.h"
#include "index/hnsw_layer.h"
#include "index/hnsw_space.h"

namespace quiver::index {
namespace {

using internal::DistId;
using internal::Graph;
using internal::Query;
using internal::SearchContext;

// Scratch vectors of one building thread beyond those the search walk uses.
struct BuildScratch {
  explicit BuildScratch(const Graph& g)
      : kept_stride(internal::RoundUp(std::max<size_t>(g.code_bytes, 1), 64)),
        kept_codes(internal::AllocateAligned(kept_stride * g.m0)) {}

  std::vector<DistId> selected;     // the new node's neighbours on one layer
  std::vector<DistId> prune_input;  // a full neighbour list plus the new link
  std::vector<DistId> prune_output;
  std::vector<Query> kept_queries;  // the heuristic's kept neighbours as queries
  size_t kept_stride;               // bytes per query code in kept_codes
  internal::AlignedBytes kept_codes;
};

constexpr int kMaxLevel = 30;

template <typename Space>
class Builder {
 public:
  Builder(Graph& g, const Space& space) : g_(g), space_(space) {}

  void Insert(uint32_t id, SearchContext& ctx, BuildScratch& scratch) {
    const int level = g_.levels[id];
    const Query q = space_.NodeQuery(id, ctx.query_code.get());

    std::unique_lock<std::mutex> entry_lock(g_.entry_mu);
    const int max_level = g_.max_level;
    uint32_t ep = g_.entry;
    if (max_level < 0) {  // the first node
      g_.entry = id;
      g_.max_level = level;
      return;
    }
    if (level <= max_level) entry_lock.unlock();

    float ep_dist = space_.Dist(q, ep);
    internal::GreedyDescend<true>(g_, space_, q, max_level, level, &ep, &ep_dist, ctx);
    for (int lev = std::min(level, max_level); lev >= 0; --lev) {
      internal::SearchLayer<true>(g_, space_, q, ep, ep_dist, lev, g_.params.ef_construct, ctx);
      const std::vector<DistId>& found = ctx.scratch;
      ep = found.front().second;
      ep_dist = found.front().first;
      SelectNeighbors(found, g_.m, scratch, &scratch.selected);

      {
        std::lock_guard<internal::SpinLock> lock(g_.locks[id]);
        WriteLinks(g_.Links(id, lev), g_.Capacity(lev), scratch.selected);
      }
      for (const DistId& nb : scratch.selected) Connect(nb.second, id, nb.first, lev, ctx, scratch);
    }
    if (level > max_level) {  // entry_lock is still held
      g_.entry = id;
      g_.max_level = level;
    }
  }

 private:
  // The heuristic: walk the candidates closest first and keep one only when it is closer to the
  // base than to every neighbour kept so far, which spreads the links over directions.
  // REQUIRES: `sorted` ascending by distance to the base node.
  void SelectNeighbors(const std::vector<DistId>& sorted, size_t max, BuildScratch& scratch,
                       std::vector<DistId>* out) const {
    out->clear();
    if (sorted.size() <= max) {
      out->assign(sorted.begin(), sorted.end());
      return;
    }
    // Each kept neighbour becomes a query once (distances are symmetric), rather than each
    // candidate once: fewer code conversions, since most candidates are rejected.
    std::vector<Query>& kept_queries = scratch.kept_queries;
    kept_queries.clear();
    for (const DistId& candidate : sorted) {
      bool keep = true;
      for (const Query& kept : kept_queries) {
        if (space_.Dist(kept, candidate.second) < candidate.first) {
          keep = false;
          break;
        }
      }
      if (!keep) continue;
      out->push_back(candidate);
      if (out->size() >= max) break;
      kept_queries.push_back(space_.NodeQuery(
          candidate.second, scratch.kept_codes.get() + (out->size() - 1) * scratch.kept_stride));
    }
  }

  // Adds the link node -> added (at distance d) on `level`, re-selecting node's list with the
  // heuristic when it is full.
  void Connect(uint32_t node, uint32_t added, float d, int level, SearchContext& ctx,
               BuildScratch& scratch) {
    const uint32_t cap = g_.Capacity(level);
    std::lock_guard<internal::SpinLock> lock(g_.locks[node]);
    uint32_t* slots = g_.Links(node, level);
    const uint32_t count = internal::CountLinks(slots, cap);
    if (count < cap) {
      slots[count] = added;
      return;
    }
    const Query qn = space_.NodeQuery(node, ctx.node_code.get());
    scratch.prune_input.clear();
    scratch.prune_input.emplace_back(d, added);
    for (uint32_t i = 0; i < count; ++i) {
      scratch.prune_input.emplace_back(space_.Dist(qn, slots[i]), slots[i]);
    }
    std::sort(scratch.prune_input.begin(), scratch.prune_input.end());
    SelectNeighbors(scratch.prune_input, cap, scratch, &scratch.prune_output);
    WriteLinks(slots, cap, scratch.prune_output);
  }

  static void WriteLinks(uint32_t* slots, uint32_t capacity, const std::vector<DistId>& links) {
    for (uint32_t i = 0; i < capacity; ++i) {
      slots[i] = i < links.size() ? links[i].second : internal::kNoLink;
    }
  }

  Graph& g_;
  const Space& space_;
};

// Levels from the paper's distribution floor(-ln(U) * mL), mL = 1 / ln(m), drawn in id order
// from the seeded generator, so they do not depend on the number of threads.
void SampleLevels(Graph& g) {
  std::mt19937_64 rng(g.params.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double ml = 1.0 / std::log(static_cast<double>(g.m));
  for (size_t id = 0; id < g.n; ++id) {
    const double u = 1.0 - uniform(rng);  // (0, 1]
    const int level = std::min(kMaxLevel, static_cast<int>(-std::log(u) * ml));
    g.levels[id] = static_cast<uint8_t>(level);
    g.AllocateUpper(static_cast<uint32_t>(id));
  }
}

// Runs fn(i) for i in [0, count) on `threads` threads (the caller's included).
template <typename Fn>
void ParallelFor(size_t count, size_t threads, Fn&& fn) {
  threads = std::max<size_t>(1, std::min(threads, count));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

// Whether the owner of the build has called it off (HnswParams::cancel).
bool Cancelled(const Graph& g) {
  return g.params.cancel != nullptr && g.params.cancel->load(std::memory_order_relaxed);
}

}  // namespace

namespace internal {

// Fits the quantizer, writes vectors and codes, samples levels. REQUIRES: g.n, g.dim, g.metric,
// g.params set and Allocate() done.
void FillStorage(Graph& g, const float* data) {
  const bool quantized = g.params.quantization != Quantization::kNone;
  if (quantized) g.vectors.assign(data, data + g.n * g.dim);
  if (g.params.quantization == Quantization::kInt8) {
    g.scalar = ScalarQuantizer::Fit(data, g.n, g.dim, g.params.quantile);
  } else if (g.params.quantization == Quantization::kBinary) {
    g.binary = BinaryQuantizer::Fit(data, g.n, g.dim);
  }
  const size_t threads = std::max<uint32_t>(1, g.params.build_threads);
  ParallelFor(g.n, threads, [&](size_t id) {
    if (!quantized) {
      std::memcpy(g.Code(static_cast<uint32_t>(id)), data + id * g.dim, g.dim * sizeof(float));
    }
    g.EncodeNode(static_cast<uint32_t>(id));
  });
}

void BuildGraph(Graph& g) {
  g.locks = std::make_unique<SpinLock[]>(std::max<size_t>(g.n, 1));
  const size_t threads = std::max<uint32_t>(1, g.params.build_threads);
  WithSpace(g, [&](const auto& space) {
    using SpaceType = std::decay_t<decltype(space)>;
    Builder<SpaceType> builder(g, space);
    auto make_context = [&] {
      auto ctx = std::make_unique<SearchContext>();
      ctx->EnsureCodeCapacity(g.code_bytes);
      return ctx;
    };
    if (g.n == 0) return 0;
    // Node 0 first, alone: it becomes the entry point the other threads start from.
    auto first = make_context();
    BuildScratch first_scratch(g);
    builder.Insert(0, *first, first_scratch);
    std::atomic<size_t> next{1};
    auto work = [&] {
      auto ctx = make_context();
      BuildScratch scratch(g);
      for (size_t id = next.fetch_add(1); id < g.n && !Cancelled(g); id = next.fetch_add(1)) {
        builder.Insert(static_cast<uint32_t>(id), *ctx, scratch);
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < std::min(threads, g.n); ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    return 0;
  });
  g.locks.reset();  // the graph is immutable from here on
}

}  // namespace internal

std::unique_ptr<HnswIndex> HnswIndex::Build(const float* data, size_t n, size_t dim,
                                            Metric metric, const HnswParams& params) {
  std::unique_ptr<HnswIndex> index(new HnswIndex());
  Impl& g = *index->impl_;
  g.n = n;
  g.dim = dim;
  g.metric = metric;
  g.params = params;
  g.params.ef_construct = std::max<uint32_t>(params.ef_construct, 1);
  if (Cancelled(g)) return nullptr;
  g.Allocate();
  internal::FillStorage(g, data);
  SampleLevels(g);
  internal::BuildGraph(g);
  if (Cancelled(g)) return nullptr;  // part of the graph is missing
  g.params.cancel = nullptr;  // the flag's owner may go before the index
  return index;
}

}  // namespace quiver::index
