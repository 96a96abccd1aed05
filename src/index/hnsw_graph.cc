// Storage helpers of HnswIndex::Impl and the search-context pool (see hnsw_graph.h).

#include "index/hnsw_graph.h"

#include <algorithm>
#include <cstring>

#include <sys/mman.h>

#include "index/hnsw_space.h"
#include "vector/distance.h"

namespace quiver::index {
namespace internal {

AlignedBytes AllocateAligned(size_t bytes) {
  if (bytes == 0) return nullptr;
  // Regions of several huge pages are aligned to them and asked to be backed by them: a walk
  // jumps between random nodes, and with 4 KiB pages nearly every jump misses the TLB.
  constexpr size_t kHugePage = size_t{2} << 20;
  const bool huge = bytes >= 2 * kHugePage;
  const size_t size = RoundUp(bytes, huge ? kHugePage : 64);
  void* p = std::aligned_alloc(huge ? kHugePage : 64, size);
  if (p == nullptr) std::abort();  // as operator new would (no exceptions across modules)
  if (huge) madvise(p, size, MADV_HUGEPAGE);  // advice only: failure leaves 4 KiB pages
  std::memset(p, 0, size);
  return AlignedBytes(static_cast<uint8_t*>(p));
}

void SearchContext::Reset(size_t n) {
  const size_t words = (n + 63) / 64;
  if (visited_bits.size() < words) {
    visited_bits.assign(words, 0);
  } else {
    for (size_t i = 0; i < visited_count; ++i) visited_bits[visited_ids[i] >> 6] = 0;
  }
  visited_count = 0;
}

void SearchContext::EnsureCodeCapacity(size_t bytes) {
  if (code_capacity >= bytes) return;
  code_capacity = RoundUp(std::max<size_t>(bytes, 64), 64);
  query_code = AllocateAligned(code_capacity);
  node_code = AllocateAligned(code_capacity);
}

size_t SearchContext::MemoryBytes() const {
  return sizeof(*this) + visited_bits.capacity() * sizeof(uint64_t) +
         visited_ids.capacity() * sizeof(uint32_t) +
         (candidates.capacity() + top.capacity() + scratch.capacity()) * sizeof(DistId) +
         ids.capacity() * sizeof(uint32_t) + dists.capacity() * sizeof(float) +
         2 * code_capacity;
}

size_t ContextPool::MemoryBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t bytes = 0;
  for (const auto& context : free_) bytes += context->MemoryBytes();
  return bytes;
}

std::unique_ptr<SearchContext> ContextPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      std::unique_ptr<SearchContext> context = std::move(free_.back());
      free_.pop_back();
      return context;
    }
  }
  return std::make_unique<SearchContext>();
}

void ContextPool::Release(std::unique_ptr<SearchContext> context) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(context));
}

void Graph::Allocate() {
    m = std::max<uint32_t>(params.m, 2);
  m0 = 2 * m;
  code_offset = RoundUp(sizeof(uint32_t) * m0, 64);
  switch (params.quantization) {
    case Quantization::kNone:
      code_bytes = dim * sizeof(float);
      break;
    case Quantization::kInt8:
      code_bytes = dim;
      break;
    case Quantization::kBinary:
      code_bytes = internal::BinaryQuantizer::Words(dim) * sizeof(uint64_t);
      break;
  }
  block_bytes = RoundUp(code_offset + code_bytes, 64);
  level0 = AllocateAligned(n * block_bytes);
  for (size_t id = 0; id < n; ++id) {
    std::fill_n(Links(static_cast<uint32_t>(id), 0), m0, kNoLink);
  }
  if (params.quantization == Quantization::kInt8) {
    int8_a.assign(n, 0.0f);
    int8_terms.assign(n, Int8Terms{0.0f, 0.0f, 0.0f});
  }
  levels.assign(n, 0);
  upper.clear();
  upper.resize(n);
  extra.clear();
  deleted_words = (n + 63) / 64;
  deleted = std::make_unique<std::atomic<uint64_t>[]>(std::max<size_t>(deleted_words, 1));
  for (size_t i = 0; i < deleted_words; ++i) deleted[i].store(0, std::memory_order_relaxed);
  any_deleted.store(false, std::memory_order_relaxed);
  entry = 0;
  max_level = -1;
}

void Graph::AllocateUpper(uint32_t id) {
  const size_t slots = size_t{levels[id]} * m;
  if (slots == 0) {
    upper[id].reset();
    return;
  }
  upper[id] = std::make_unique<uint32_t[]>(slots);
  std::fill_n(upper[id].get(), slots, kNoLink);
}

void Graph::EncodeNode(uint32_t id) {
  uint8_t* code = Code(id);
  switch (params.quantization) {
    case Quantization::kNone:
      break;  // the caller wrote the floats into the block
    case Quantization::kInt8: {
      scalar.Encode(Vector(id), dim, code);
      if (metric == Metric::kManhattan) {
        int8_terms[id] = Int8Terms{0.0f, Int8L1Space(*this).Residual(Vector(id), code), 0.0f};
      } else {
        int8_a[id] = Int8DotSpace(*this).Terms(Vector(id), code, &int8_terms[id]);
      }
      break;
    }
    case Quantization::kBinary:
      binary.Encode(Vector(id), reinterpret_cast<uint64_t*>(code));
      break;
  }
}

float Graph::ExactDistance(const float* a, const float* b) const {
  float d;
  switch (metric) {
    case Metric::kL2:
      d = vec::L2Squared(a, b, dim);
      break;
    case Metric::kManhattan:
      d = vec::L1(a, b, dim);
      break;
    case Metric::kDot:
    case Metric::kCosine:
    default:
      d = -vec::Dot(a, b, dim);
      break;
  }
  return NanToInf(d);
}

size_t Graph::MemoryBytes() const {
  size_t bytes = sizeof(Graph) + n * block_bytes + vectors.capacity() * sizeof(float) +
                 int8_a.capacity() * sizeof(float) + int8_terms.capacity() * sizeof(Int8Terms) +
                 levels.capacity() + upper.capacity() * sizeof(upper[0]) +
                 deleted_words * sizeof(uint64_t) + (locks ? n * sizeof(internal::SpinLock) : 0) +
                 binary.center().capacity() * sizeof(float);
  for (size_t id = 0; id < upper.size(); ++id) {
    if (upper[id]) bytes += size_t{levels[id]} * m * sizeof(uint32_t);
  }
  bytes += extra.capacity() * sizeof(extra[0]);
  for (const auto& list : extra) bytes += list.capacity() * sizeof(uint32_t);
  return bytes + pool.MemoryBytes();
}

}  // namespace internal
}  // namespace quiver::index
