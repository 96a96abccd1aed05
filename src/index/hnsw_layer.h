#pragma once
// The two graph walks of HNSW (Malkov & Yashunin, Algorithms 2 and 5), shared by Build() and
// Search() (internal to src/index).
//
// kBuild: the graph is still being written by other threads, so a node's list is copied under
// its lock before it is read. Otherwise nothing is locked (the graph is immutable).
// Filtered walks (SearchLayerFiltered) still traverse nodes the filter refuses or that are
// deleted, so the graph stays connected, but only allowed nodes enter the result list.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "index/hnsw_graph.h"
#include "index/hnsw_space.h"

namespace quiver::index::internal {

// Copies the ids of node's list on `level` into *out (layer 0 also gets its payload links).
template <bool kBuild>
inline void ReadLinks(const Graph& g, uint32_t node, int level, std::vector<uint32_t>* out) {
  out->clear();
  const uint32_t* slots = g.Links(node, level);
  const uint32_t capacity = g.Capacity(level);
  if constexpr (kBuild) {
    std::lock_guard<SpinLock> lock(g.locks[node]);
    for (uint32_t i = 0; i < capacity && slots[i] != kNoLink; ++i) out->push_back(slots[i]);
  } else {
    for (uint32_t i = 0; i < capacity && slots[i] != kNoLink; ++i) out->push_back(slots[i]);
  }
  if (level == 0 && !g.extra.empty()) {
    const std::vector<uint32_t>& extra = g.extra[node];
    out->insert(out->end(), extra.begin(), extra.end());
  }
}

// Leaves in ctx.ids the neighbours of `node` on `level` this search has not visited yet, now
// marked visited; returns how many. A walk of the finished graph reads the slots in place.
template <bool kBuild>
inline size_t GatherFresh(const Graph& g, uint32_t node, int level, SearchContext& ctx) {
  if constexpr (kBuild) {
    ReadLinks<true>(g, node, level, &ctx.ids);
    return ctx.KeepUnvisited(ctx.ids.data(), ctx.ids.size(), ctx.ids.data());
  }
  const uint32_t* slots = g.Links(node, level);
  const uint32_t count = CountLinks(slots, g.Capacity(level));
  const std::vector<uint32_t>* extra =
      level == 0 && !g.extra.empty() ? &g.extra[node] : nullptr;
  const size_t most = count + (extra != nullptr ? extra->size() : 0);
  if (ctx.ids.size() < most) ctx.ids.resize(most);  // only grows: no zeroing on every call
  size_t fresh = ctx.KeepUnvisited(slots, count, ctx.ids.data());
  if (extra != nullptr) {
    fresh += ctx.KeepUnvisited(extra->data(), extra->size(), ctx.ids.data() + fresh);
  }
  return fresh;
}

// Requests every fresh neighbour's code at once (ctx.ids[0 .. fresh)): a walk is bound by
// memory latency, so the more misses are in flight together, the faster (measured: ~25% over
// fetching one neighbour ahead).
template <typename Space>
inline void PrefetchFresh(const Space& space, const SearchContext& ctx, size_t fresh) {
  for (size_t j = 0; j < fresh; ++j) space.Prefetch(ctx.ids[j]);
}

// Expands `node`: leaves its fresh neighbours (GatherFresh) in ctx.ids and their distances in
// ctx.dists; returns how many. `next` is the node likely to be expanded after this one, whose
// list is requested now, or kNoLink.
template <bool kBuild, typename Space>
size_t Expand(const Graph& g, const Space& space, const Query& q, uint32_t node, int level,
              uint32_t next, SearchContext& ctx) {
  const size_t fresh = GatherFresh<kBuild>(g, node, level, ctx);
  PrefetchFresh(space, ctx, fresh);
  if (next != kNoLink) __builtin_prefetch(g.Block(next));
  if (ctx.dists.size() < fresh) ctx.dists.resize(fresh);
  space.DistMany(q, ctx.ids.data(), fresh, ctx.dists.data());
  return fresh;
}

// Greedy descent (ef = 1) from *ep through layers top .. bottom+1; updates *ep and *ep_dist.
template <bool kBuild, typename Space>
void GreedyDescend(const Graph& g, const Space& space, const Query& q, int top,
                   int bottom, uint32_t* ep, float* ep_dist, SearchContext& ctx) {
  for (int level = top; level > bottom; --level) {
    bool changed = true;
    while (changed) {
      changed = false;
      ReadLinks<kBuild>(g, *ep, level, &ctx.ids);
      for (uint32_t nb : ctx.ids) {
        const float d = space.Dist(q, nb);
        if (d < *ep_dist) {
          *ep_dist = d;
          *ep = nb;
          changed = true;
        }
      }
    }
  }
}

// The index of the first of sorted[0 .. size) whose distance exceeds d (where d goes in after
// its equals). Branch-free: which half holds d is a coin toss the predictor loses half the time.
// REQUIRES: size >= 1.
inline size_t InsertPosition(const DistId* sorted, size_t size, float d) {
  const DistId* base = sorted;
  while (size > 1) {
    const size_t half = size / 2;
    base = base[half].first <= d ? base + half : base;
    size -= half;
  }
  return static_cast<size_t>(base - sorted) + (base->first <= d ? 1 : 0);
}

// Best-first search of one layer from ep with a result list of `ef` (Algorithm 2); leaves the
// results in ctx.scratch, ascending.
//
// One sorted array of at most ef entries is both the result list and the candidate queue: the
// candidates are its entries not yet expanded (marked by kExpanded in the id). Algorithm 2's
// separate candidate heap holds nothing else that matters: a candidate that dropped out of the
// best ef is worse than the ef-th result, and the walk stops before it would be expanded. One
// array is cheaper to keep than two heaps (an insertion is a binary search and a short move) and
// is sorted when the walk ends.
template <bool kBuild, typename Space>
void SearchLayer(const Graph& g, const Space& space, const Query& q, uint32_t ep, float ep_dist,
                 int level, size_t ef, SearchContext& ctx) {
  std::vector<DistId>& pool = ctx.scratch;
  pool.resize(ef + 1);  // + a spare slot: an insertion into a full array moves the last there
  DistId* const best = pool.data();
  size_t size = 1;
  best[0] = {ep_dist, ep};
  ctx.Reset(g.n);
  ctx.MarkVisited(ep);
  size_t next = 0;  // the first entry not yet expanded
  while (next < size) {
    const uint32_t current = best[next].second;
    best[next].second = current | kExpanded;
    size_t lowest = next + 1;  // no entry before this one is unexpanded, whatever is inserted
    const size_t fresh = Expand<kBuild>(g, space, q, current, level,
                                        lowest < size ? best[lowest].second & ~kExpanded : kNoLink,
                                        ctx);
    for (size_t j = 0; j < fresh; ++j) {
      const uint32_t nb = ctx.ids[j];
      const float d = ctx.dists[j];
      if (size == ef && !(d < best[size - 1].first)) continue;
      const size_t at = InsertPosition(best, size, d);
      // DistId is two plain numbers; memmove is what a copy of them would do.
      std::memmove(static_cast<void*>(best + at + 1), best + at, (size - at) * sizeof(DistId));
      best[at] = {d, nb};
      if (size < ef) ++size;
      lowest = std::min(lowest, at);
    }
    next = lowest;
    while (next < size && (best[next].second & kExpanded) != 0) ++next;
  }
  pool.resize(size);
  for (DistId& e : pool) e.second &= ~kExpanded;
}

// SearchLayer for a walk where only nodes `allowed(id)` accepts may enter the results; leaves
// them in ctx.top (a max-heap by distance, at most ef entries). Refused nodes (filtered out or
// deleted) are still expanded, so the graph stays connected; they are why this walk keeps its
// candidates in a heap of their own.
template <typename Space, typename Allowed>
void SearchLayerFiltered(const Graph& g, const Space& space, const Query& q, uint32_t ep,
                         float ep_dist, size_t ef, const Allowed& allowed, SearchContext& ctx) {
  auto& top = ctx.top;
  auto& candidates = ctx.candidates;
  top.clear();
  candidates.clear();
  ctx.Reset(g.n);
  ctx.MarkVisited(ep);
  if (allowed(ep)) top.emplace_back(ep_dist, ep);
  candidates.emplace_back(ep_dist, ep);

  while (!candidates.empty()) {
    const DistId current = candidates.front();
    if (top.size() >= ef && current.first > top.front().first) break;
    std::pop_heap(candidates.begin(), candidates.end(), std::greater<DistId>());
    candidates.pop_back();

    const size_t fresh = Expand<false>(g, space, q, current.second, 0,
                                       candidates.empty() ? kNoLink : candidates.front().second,
                                       ctx);
    for (size_t j = 0; j < fresh; ++j) {
      const uint32_t nb = ctx.ids[j];
      const float d = ctx.dists[j];
      if (top.size() < ef || d < top.front().first) {
        candidates.emplace_back(d, nb);
        std::push_heap(candidates.begin(), candidates.end(), std::greater<DistId>());
        if (allowed(nb)) {
          top.emplace_back(d, nb);
          std::push_heap(top.begin(), top.end());
          if (top.size() > ef) {
            std::pop_heap(top.begin(), top.end());
            top.pop_back();
          }
        }
      }
    }
  }
}

}  // namespace quiver::index::internal
