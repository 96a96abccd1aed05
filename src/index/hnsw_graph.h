#pragma once
// The storage of HnswIndex (internal to src/index): the layout every other hnsw_*.cc file shares.
//
// Layout. Layer 0 is one 64-byte-aligned array of fixed-size blocks, one per id, so that a node's
// links and its code sit together and a search touches few cache lines:
//
//   block(id) = [ uint32 links[m0] | pad to 64 ]   layer-0 links (m = 16: exactly two lines)
//               [ code ........... | pad to 64 ]   what traversal compares
//
// A link list has a fixed number of slots; the links fill the first ones and the rest hold
// kNoLink (no separate count, which would cost a third cache line at m = 16). The code is the
// float vector (Quantization::kNone), the uint8 code (kInt8) or the bit words (kBinary). With
// quantization the float vectors are kept apart in `vectors` (rescoring, persistence), and int8
// keeps its per-node terms (hnsw_space.h) in `int8_a` (read on every distance: 4 bytes a node,
// so it stays in cache) and `int8_terms` (building and rescoring only). Layers above 0 (about one
// node in m) keep their links in `upper[id]`: level(id) lists of m slots. Payload links
// (AddPayloadLinks) live in `extra`, empty until the first call.
//
// Invariants: every link is < n; at most m0 links on layer 0 and m above; `entry` has the top
// level `max_level` (-1 only for an empty index); links never point to the node itself.
//
// Thread safety: during Build() each node's link lists are guarded by `locks[id]` (readers copy
// a list under its lock); the entry point and max level by `entry_mu`. After Build() or Load()
// everything is read-only except `deleted` (atomic words) and the search-context pool (its own
// mutex).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "index/hnsw.h"
#include "index/hnsw_quantizer.h"

namespace quiver::index {
namespace internal {

inline size_t RoundUp(size_t x, size_t to) { return (x + to - 1) / to * to; }

// A test-and-test-and-set lock of one byte; held only while a link list is copied or rewritten.
class SpinLock {
 public:
  void lock() {
    while (flag_.exchange(true, std::memory_order_acquire)) {
      while (flag_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
    }
  }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};
using AlignedBytes = std::unique_ptr<uint8_t[], FreeDeleter>;
AlignedBytes AllocateAligned(size_t bytes);  // 64-byte aligned, zeroed; null when bytes == 0

using DistId = std::pair<float, uint32_t>;

// An empty slot of a link list.
constexpr uint32_t kNoLink = 0xFFFFFFFFu;
// The most nodes an index holds: ids stay below 2^31, which leaves their top bit free for a
// walk's marks (kExpanded).
constexpr size_t kMaxNodes = size_t{1} << 31;
// Set in an id in a walk's result array once that node has been expanded (hnsw_layer.h).
constexpr uint32_t kExpanded = 0x80000000u;

// The number of links in a list of `capacity` slots (they come first).
// Counted without a branch per slot: where a list ends is a coin toss the predictor loses.
inline uint32_t CountLinks(const uint32_t* slots, uint32_t capacity) {
  uint32_t count = 0;
  for (uint32_t i = 0; i < capacity; ++i) count += slots[i] != kNoLink ? 1 : 0;
  return count;
}

// The per-node terms of an int8 code besides `a` (see hnsw_space.h).
struct Int8Terms {
  float b;         // the query term when the node itself is the query (building)
  float residual;  // |x - decoded x|: L2 norm, or L1 norm for Manhattan (rescoring bound)
  float norm;      // |x| (Dot / Cosine rescoring bound)
};

// Per-search scratch, reused through the pool so that a search allocates nothing once warm.
struct SearchContext {
  // One bit per id, set when the search has seen it; the ids set are listed (the first
  // visited_count of visited_ids) so that the next search clears only their words. A bit per id
  // keeps the set in L1/L2 cache (12.5 KB for 100k ids), which a byte or a stamp per id does not.
  std::vector<uint64_t> visited_bits;
  std::vector<uint32_t> visited_ids;
  size_t visited_count = 0;
  std::vector<DistId> candidates;  // min-heap by distance (std::greater)
  std::vector<DistId> top;         // max-heap by distance, the best found so far
  std::vector<uint32_t> ids;       // neighbour ids gathered before their distances
  std::vector<float> dists;        // their distances
  std::vector<DistId> scratch;     // the walk's results sorted (candidates, then the answer)
  AlignedBytes query_code;         // the query's code (int8 / binary), or the inserted node's
  AlignedBytes node_code;          // a node whose full list is being pruned, as a query
  size_t code_capacity = 0;

  // Starts a new search over n ids: everything counts as unvisited.
  void Reset(size_t n);
  // Marks ids[0 .. count) visited and writes those that were not yet to `out` in order (out may
  // be ids itself); returns how many. Without a branch on the bit: whether a neighbour was seen
  // is a coin toss the branch predictor loses about half the time.
  size_t KeepUnvisited(const uint32_t* ids, size_t count, uint32_t* out) {
    if (visited_ids.size() < visited_count + count) {
      visited_ids.resize(std::max(2 * visited_ids.size(), visited_count + count));
    }
    uint64_t* const bits = visited_bits.data();
    size_t fresh = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint32_t id = ids[i];
      const uint64_t word = bits[id >> 6];
      bits[id >> 6] = word | uint64_t{1} << (id & 63);
      out[fresh] = id;
      fresh += ((word >> (id & 63)) & 1) ^ 1;
    }
    std::copy(out, out + fresh, visited_ids.data() + visited_count);
    visited_count += fresh;
    return fresh;
  }
  void MarkVisited(uint32_t id) { KeepUnvisited(&id, 1, &id); }
  void EnsureCodeCapacity(size_t bytes);
  size_t MemoryBytes() const;
};

class ContextPool {
 public:
  std::unique_ptr<SearchContext> Acquire();
  void Release(std::unique_ptr<SearchContext> context);
  // Bytes held by the idle contexts (about one per thread that has searched).
  size_t MemoryBytes() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<SearchContext>> free_;
};

// The whole index state; HnswIndex::Impl is exactly this (the name Impl is private to HnswIndex,
// so the internal code names the graph instead).
struct Graph {
  // Parameters.
  size_t n = 0;
  size_t dim = 0;
  Metric metric = Metric::kL2;
  HnswParams params;
  uint32_t m = 16;   // link capacity above layer 0
  uint32_t m0 = 32;  // link capacity on layer 0

  // Layer-0 blocks (see the header comment).
  size_t code_offset = 0;  // bytes from a block's start to its code
  size_t code_bytes = 0;   // bytes of the code region, terms included
  size_t block_bytes = 0;
  AlignedBytes level0;

  std::vector<float> vectors;  // n * dim floats; empty for kNone (the blocks hold them)
  std::vector<float> int8_a;   // kInt8: the node term of every distance
  std::vector<Int8Terms> int8_terms;
  std::vector<uint8_t> levels;
  std::vector<std::unique_ptr<uint32_t[]>> upper;  // levels[id] * m slots, or null
  std::vector<std::vector<uint32_t>> extra;        // payload links; empty or n lists
  std::unique_ptr<std::atomic<uint64_t>[]> deleted;
  size_t deleted_words = 0;
  std::atomic<bool> any_deleted{false};  // lets unfiltered searches skip the deleted check

  uint32_t entry = 0;
  int max_level = -1;

  ScalarQuantizer scalar;
  BinaryQuantizer binary;

  // Build-time synchronisation.
  std::unique_ptr<SpinLock[]> locks;
  std::mutex entry_mu;

  mutable ContextPool pool;

  // Sets the layout fields from n, dim, m, quantization and allocates zeroed blocks, `levels`,
  // `upper` (null lists), `deleted`. Vectors and codes are filled by the caller.
  void Allocate();

  uint8_t* Block(uint32_t id) const { return level0.get() + size_t{id} * block_bytes; }
  // The slots of id's list on `level` (Capacity(level) of them).
  uint32_t* Links(uint32_t id, int level) const {
    return level == 0 ? reinterpret_cast<uint32_t*>(Block(id))
                      : upper[id].get() + static_cast<size_t>(level - 1) * m;
  }
  uint32_t Capacity(int level) const { return level == 0 ? m0 : m; }
  // Gives node `id` its upper lists (all slots empty). REQUIRES: levels[id] set.
  void AllocateUpper(uint32_t id);
  uint8_t* Code(uint32_t id) const { return Block(id) + code_offset; }
  const float* Vector(uint32_t id) const {
    return params.quantization == Quantization::kNone ? reinterpret_cast<const float*>(Code(id))
                                                      : vectors.data() + size_t{id} * dim;
  }
  bool IsDeleted(uint32_t id) const {
    return (deleted[id >> 6].load(std::memory_order_acquire) >> (id & 63)) & 1;
  }
  bool AnyDeleted() const { return any_deleted.load(std::memory_order_acquire); }
  size_t MemoryBytes() const;

  // Encodes vector(id) into its code region (and the int8 per-node terms).
  // REQUIRES: the quantizer fitted.
  void EncodeNode(uint32_t id);
  // Exact distance on float vectors (lower is closer).
  float ExactDistance(const float* a, const float* b) const;
};

}  // namespace internal

struct HnswIndex::Impl : internal::Graph {};

}  // namespace quiver::index
