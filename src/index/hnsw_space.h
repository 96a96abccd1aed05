#pragma once
// Distance "spaces" of the HNSW index (internal to src/index): how a query is prepared and how
// its distance to a node's code (hnsw_graph.h) is computed, one class per representation. The
// graph code is a template over the space, so the distance call inlines into the search loop.
//
// Every space offers:
//   Query MakeQuery(const float* v, uint8_t* buf) const      a search query (buf: code_bytes)
//   Query NodeQuery(uint32_t id, uint8_t* buf) const          node `id` as a query (building)
//   float Dist(const Query& q, const uint8_t* code) const     lower is closer
//
// Int8, L2 / Dot / Cosine. With x = lo + step * c (c the unsigned code) and the query's code
// shifted to signed bytes (q' = qc - 128, so one vpdpbusd does 64 products), both distances
// become  a(node) + b(query) + c(query) * dot(c, q'):
//   L2:   |x - y|^2 ~ step^2 (|c|^2 - 256 sum c) + step^2 |qc|^2 - 2 step^2 dot(c, q')
//   Dot: -x . y    ~ -(lo step + 128 step^2) sum c - (dim lo^2 + lo step sum qc) - step^2 dot(c, q')
// a(node) and the node's own b (for NodeQuery) are stored after its code bytes, so the
// distances come out in the units of the float metric, not just in the same order.
//
// Thread safety: spaces are immutable views of a Graph; Query points into the caller's buffer.

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "index/hnsw_graph.h"
#include "vector/distance.h"
#include "vector/quantized_distance.h"

namespace quiver::index::internal {

struct Query {
  const float* f = nullptr;        // float spaces
  const uint8_t* u8 = nullptr;     // int8 Manhattan: the unsigned code
  const int8_t* s8 = nullptr;      // int8 dot form: code - 128
  const uint64_t* bits = nullptr;  // binary
  float b = 0.0f;
  float c = 0.0f;
};

// Where the two int8 per-node terms sit inside the code region.
inline size_t Int8TermsOffset(size_t dim) { return RoundUp(dim, 4); }

template <Metric kMetric>
class FloatSpace {
 public:
  explicit FloatSpace(const Graph& g) : g_(g), dim_(g.dim) {}
  Query MakeQuery(const float* v, uint8_t*) const {
    Query q;
    q.f = v;
    return q;
  }
  Query NodeQuery(uint32_t id, uint8_t*) const { return MakeQuery(g_.Vector(id), nullptr); }
  float Dist(const Query& q, const uint8_t* code) const {
    const float* v = reinterpret_cast<const float*>(code);
    if constexpr (kMetric == Metric::kL2) return vec::L2Squared(q.f, v, dim_);
    if constexpr (kMetric == Metric::kManhattan) return vec::L1(q.f, v, dim_);
    return -vec::Dot(q.f, v, dim_);
  }

 private:
  const Graph& g_;
  size_t dim_;
};

// kL2 and kDot / kCosine on int8 codes (see the header comment).
class Int8DotSpace {
 public:
  explicit Int8DotSpace(const Graph& g)
      : g_(g), dim_(g.dim), l2_(g.metric == Metric::kL2),
        dot_(vec::ActiveQuantizedKernels().dot_u8i8) {
    const float step = g.scalar.step();
    c_ = l2_ ? -2.0f * step * step : -step * step;
  }

  // The per-node terms of `code` (its first dim bytes): a, and b when the node is a query.
  void NodeTerms(const uint8_t* code, float* a, float* b) const {
    int64_t sum = 0, sum_sq = 0;
    for (size_t i = 0; i < dim_; ++i) {
      sum += code[i];
      sum_sq += int64_t{code[i]} * code[i];
    }
    const double lo = g_.scalar.lo(), step = g_.scalar.step();
    if (l2_) {
      *a = static_cast<float>(step * step * static_cast<double>(sum_sq - 256 * sum));
      *b = static_cast<float>(step * step * static_cast<double>(sum_sq));
    } else {
      *a = static_cast<float>(-(lo * step + 128.0 * step * step) * static_cast<double>(sum));
      *b = static_cast<float>(-(static_cast<double>(dim_) * lo * lo +
                                lo * step * static_cast<double>(sum)));
    }
  }

  Query MakeQuery(const float* v, uint8_t* buf) const {
    g_.scalar.Encode(v, dim_, buf);
    float unused_a = 0.0f, b = 0.0f;
    NodeTerms(buf, &unused_a, &b);
    return Shift(buf, buf, b);
  }
  Query NodeQuery(uint32_t id, uint8_t* buf) const {
    const uint8_t* code = g_.Code(id);
    float b;
    std::memcpy(&b, code + Int8TermsOffset(dim_) + sizeof(float), sizeof(float));
    return Shift(code, buf, b);
  }
  float Dist(const Query& q, const uint8_t* code) const {
    float a;
    std::memcpy(&a, code + Int8TermsOffset(dim_), sizeof(float));
    return a + q.b + q.c * static_cast<float>(dot_(code, q.s8, dim_));
  }

 private:
  Query Shift(const uint8_t* code, uint8_t* buf, float b) const {
    for (size_t i = 0; i < dim_; ++i) buf[i] = static_cast<uint8_t>(code[i] ^ 0x80u);  // c - 128
    Query q;
    q.s8 = reinterpret_cast<const int8_t*>(buf);
    q.b = b;
    q.c = c_;
    return q;
  }

  const Graph& g_;
  size_t dim_;
  bool l2_;
  float c_ = 0.0f;
  int32_t (*dot_)(const uint8_t*, const int8_t*, size_t);
};

// kManhattan on int8 codes: step * sum |c - qc|.
class Int8L1Space {
 public:
  explicit Int8L1Space(const Graph& g)
      : g_(g), dim_(g.dim), l1_(vec::ActiveQuantizedKernels().l1_u8) {}
  Query MakeQuery(const float* v, uint8_t* buf) const {
    g_.scalar.Encode(v, dim_, buf);
    return FromCode(buf);
  }
  Query NodeQuery(uint32_t id, uint8_t*) const { return FromCode(g_.Code(id)); }
  float Dist(const Query& q, const uint8_t* code) const {
    return q.c * static_cast<float>(l1_(code, q.u8, dim_));
  }

 private:
  Query FromCode(const uint8_t* code) const {
    Query q;
    q.u8 = code;
    q.c = g_.scalar.step();
    return q;
  }
  const Graph& g_;
  size_t dim_;
  uint32_t (*l1_)(const uint8_t*, const uint8_t*, size_t);
};

// Any metric on one bit per dimension: the Hamming distance (an angle estimate).
class BinarySpace {
 public:
  explicit BinarySpace(const Graph& g)
      : g_(g), words_(BinaryQuantizer::Words(g.dim)),
        hamming_(vec::ActiveQuantizedKernels().hamming) {}
  Query MakeQuery(const float* v, uint8_t* buf) const {
    uint64_t* words = reinterpret_cast<uint64_t*>(buf);
    g_.binary.Encode(v, words);
    Query q;
    q.bits = words;
    return q;
  }
  Query NodeQuery(uint32_t id, uint8_t*) const {
    Query q;
    q.bits = reinterpret_cast<const uint64_t*>(g_.Code(id));
    return q;
  }
  float Dist(const Query& q, const uint8_t* code) const {
    return static_cast<float>(hamming_(reinterpret_cast<const uint64_t*>(code), q.bits, words_));
  }

 private:
  const Graph& g_;
  size_t words_;
  uint64_t (*hamming_)(const uint64_t*, const uint64_t*, size_t);
};

// Calls fn(space) with the space of g's quantization and metric.
template <typename Fn>
decltype(auto) WithSpace(const Graph& g, Fn&& fn) {
  switch (g.params.quantization) {
    case Quantization::kInt8:
      if (g.metric == Metric::kManhattan) return fn(Int8L1Space(g));
      return fn(Int8DotSpace(g));
    case Quantization::kBinary:
      return fn(BinarySpace(g));
    case Quantization::kNone:
      break;
  }
  switch (g.metric) {
    case Metric::kL2: return fn(FloatSpace<Metric::kL2>(g));
    case Metric::kManhattan: return fn(FloatSpace<Metric::kManhattan>(g));
    case Metric::kDot: return fn(FloatSpace<Metric::kDot>(g));
    case Metric::kCosine: break;
  }
  return fn(FloatSpace<Metric::kCosine>(g));
}

}  // namespace quiver::index::internal
