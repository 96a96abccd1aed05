// Storage helpers of HnswIndex::Impl and the search-context pool (see hnsw_graph.h).

#include "index/hnsw_graph.h"

#include <algorithm>
#include <cstring>

#include "index/hnsw_space.h"
#include "vector/distance.h"

namespace quiver::index {
namespace internal {

AlignedBytes AllocateAligned(size_t bytes) {
  if (bytes == 0) return nullptr;
  void* p = std::aligned_alloc(64, RoundUp(bytes, 64));
  if (p == nullptr) std::abort();  // as operator new would (no exceptions across modules)
  std::memset(p, 0, RoundUp(bytes, 64));
  return AlignedBytes(static_cast<uint8_t*>(p));
}

void SearchContext::Reset(size_t n) {
  if (visited.size() < n) {
    visited.assign(n, 0);
    generation = 0;
  }
  if (++generation == 0) {  // wrapped: stale stamps could collide, so clear them once
    std::fill(visited.begin(), visited.end(), uint16_t{0});
    generation = 1;
  }
}

void SearchContext::EnsureCodeCapacity(size_t bytes) {
  if (code_capacity >= bytes) return;
  code_capacity = RoundUp(std::max<size_t>(bytes, 64), 64);
  query_code = AllocateAligned(code_capacity);
  node_code = AllocateAligned(code_capacity);
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
  code_offset = RoundUp(sizeof(uint32_t) * (1 + m0), 64);
  switch (params.quantization) {
    case Quantization::kNone:
      code_bytes = dim * sizeof(float);
      break;
    case Quantization::kInt8:
      code_bytes = internal::Int8TermsOffset(dim) + 2 * sizeof(float);
      break;
    case Quantization::kBinary:
      code_bytes = internal::BinaryQuantizer::Words(dim) * sizeof(uint64_t);
      break;
  }
  block_bytes = RoundUp(code_offset + code_bytes, 64);
  level0 = internal::AllocateAligned(n * block_bytes);
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

void Graph::EncodeNode(uint32_t id) {
  uint8_t* code = Code(id);
  switch (params.quantization) {
    case Quantization::kNone:
      break;  // the caller wrote the floats into the block
    case Quantization::kInt8: {
      scalar.Encode(Vector(id), dim, code);
      float terms[2];
      internal::Int8DotSpace(*this).NodeTerms(code, &terms[0], &terms[1]);
      std::memcpy(code + internal::Int8TermsOffset(dim), terms, sizeof(terms));
      break;
    }
    case Quantization::kBinary:
      binary.Encode(Vector(id), reinterpret_cast<uint64_t*>(code));
      break;
  }
}

float Graph::ExactDistance(const float* a, const float* b) const {
  switch (metric) {
    case Metric::kL2: return vec::L2Squared(a, b, dim);
    case Metric::kManhattan: return vec::L1(a, b, dim);
    case Metric::kDot:
    case Metric::kCosine: break;
  }
  return -vec::Dot(a, b, dim);
}

size_t Graph::MemoryBytes() const {
  size_t bytes = sizeof(Graph) + n * block_bytes + vectors.capacity() * sizeof(float) +
                 levels.capacity() + upper.capacity() * sizeof(upper[0]) +
                 deleted_words * sizeof(uint64_t) + (locks ? n * sizeof(internal::SpinLock) : 0) +
                 binary.center().capacity() * sizeof(float);
  for (size_t id = 0; id < upper.size(); ++id) {
    if (upper[id]) bytes += size_t{levels[id]} * (m + 1) * sizeof(uint32_t);
  }
  bytes += extra.capacity() * sizeof(extra[0]);
  for (const auto& list : extra) bytes += list.capacity() * sizeof(uint32_t);
  return bytes;
}

}  // namespace internal
}  // namespace quiver::index
