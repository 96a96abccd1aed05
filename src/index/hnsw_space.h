#pragma once
// Distance "spaces" of the HNSW index (internal to src/index): how a query is prepared and how
// its distance to a node is computed, one class per representation. The graph code is a template
// over the space, so the distance call inlines into the search loop.
//
// Every space offers:
//   Query MakeQuery(const float* v, uint8_t* buf) const   a search query (buf: code_bytes)
//   Query NodeQuery(uint32_t id, uint8_t* buf) const       node `id` as a query (building)
//   float Dist(const Query& q, uint32_t id) const          lower is closer
//   void DistMany(const Query& q, const uint32_t* ids, size_t count, float* out) const
//       out[i] = Dist(q, ids[i]) for i < count (a walk's fresh neighbours in one call)
//   void Prefetch(uint32_t id) const                        asks for what Dist(., id) reads
//   float LowerBound(const Query& q, float approx, uint32_t id) const
//       a value the exact float distance between the query and node `id` is never below, given
//       their code distance `approx`; rescoring skips the candidates that cannot enter the top k
//
// Int8, L2 / Dot / Cosine. With x = lo + step * c (c the unsigned code) and the query's code
// shifted to signed bytes (q' = qc - 128, so that one vpdpbusd does 64 products), both distances
// become  a(node) + b(query) + c(query) * dot(c, q'):
//   L2:   |x - y|^2 = step^2 (|c|^2 - 256 sum c) + step^2 |qc|^2 - 2 step^2 dot(c, q')
//   Dot: -x . y    = -(lo step + 128 step^2) sum c - (dim lo^2 + lo step sum qc) - step^2 dot(c, q')
// exactly, for the decoded vectors. So the code distances come out in the units of the float
// metric, and the gap to the float distance is bounded by the quantization residuals.
//
// Thread safety: spaces are immutable views of a Graph; Query points into the caller's buffer.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "index/hnsw_graph.h"
#include "vector/distance.h"
#include "vector/quantized_distance.h"

namespace quiver::index::internal {

// NaN distances (from NaN or infinite inputs) become +infinity: the heaps and sorts of the graph
// code need a strict weak order, which NaN breaks.
inline float NanToInf(float d) { return d == d ? d : std::numeric_limits<float>::infinity(); }

// Requests every cache line of node id's code.
inline void PrefetchCode(const Graph& g, uint32_t id) {
  const uint8_t* p = g.Code(id);
  for (size_t off = 0; off < g.code_bytes; off += 64) __builtin_prefetch(p + off, 0, 3);
}

struct Query;

// DistMany of a space without a batch kernel: Dist for each id.
template <typename Space>
void DistEach(const Space& space, const Query& q, const uint32_t* ids, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = space.Dist(q, ids[i]);
}

struct Query {
  const float* f = nullptr;        // float spaces
  const uint8_t* u8 = nullptr;     // int8 Manhattan: the unsigned code
  const int8_t* s8 = nullptr;      // int8 dot form: code - 128
  const uint64_t* bits = nullptr;  // binary
  float b = 0.0f;
  float c = 0.0f;
  float residual = 0.0f;  // int8: |q - decoded q| (L2 norm; L1 for Manhattan)
  float norm = 0.0f;      // int8 Dot / Cosine: |decoded q|
};

template <Metric kMetric>
class FloatSpace {
 public:
  explicit FloatSpace(const Graph& g)
      : g_(g), dim_(g.dim), kernel_(Kernel(g.dim)), many_(ManyKernel(g.dim)) {}
  Query MakeQuery(const float* v, uint8_t*) const {
    Query q;
    q.f = v;
    return q;
  }
  Query NodeQuery(uint32_t id, uint8_t*) const { return MakeQuery(g_.Vector(id), nullptr); }
  float Dist(const Query& q, uint32_t id) const {
    const float* v = reinterpret_cast<const float*>(g_.Code(id));
    return Finish(kernel_(q.f, v, dim_));
  }
  void DistMany(const Query& q, const uint32_t* ids, size_t count, float* out) const {
    many_(q.f, g_.Code(0), g_.block_bytes, ids, count, dim_, out);
    for (size_t i = 0; i < count; ++i) out[i] = Finish(out[i]);
  }
  float LowerBound(const Query&, float approx, uint32_t) const { return approx; }
  void Prefetch(uint32_t id) const { PrefetchCode(g_, id); }

 private:
  static constexpr bool kIsDot = kMetric == Metric::kDot || kMetric == Metric::kCosine;
  static vec::DistanceKernel Kernel(size_t dim) {
    if constexpr (kMetric == Metric::kL2) return vec::L2SquaredKernel(dim);
    if constexpr (kMetric == Metric::kManhattan) return vec::L1Kernel(dim);
    return vec::DotKernel(dim);
  }
  static vec::ManyKernel ManyKernel(size_t dim) {
    if constexpr (kMetric == Metric::kL2) return vec::L2SquaredManyKernel(dim);
    if constexpr (kMetric == Metric::kManhattan) return vec::L1ManyKernel(dim);
    return vec::DotManyKernel(dim);
  }
  // The kernel's value as a distance: lower is closer.
  static float Finish(float value) { return NanToInf(kIsDot ? -value : value); }

  const Graph& g_;
  size_t dim_;
  vec::DistanceKernel kernel_;  // both resolved once: the walk calls them for every neighbour
  vec::ManyKernel many_;
};

// kL2 and kDot / kCosine on int8 codes (see the header comment).
class Int8DotSpace {
 public:
  explicit Int8DotSpace(const Graph& g)
      : g_(g), dim_(g.dim), l2_(g.metric == Metric::kL2), a_(g.int8_a.data()),
        dot_(vec::ActiveQuantizedKernels().dot_u8i8),
        dot_many_(vec::ActiveQuantizedKernels().dot_u8i8_many) {
    const float step = g.scalar.step();
    c_ = l2_ ? -2.0f * step * step : -step * step;
    // The float evaluation of a + b + c * dot rounds terms this large; the bound allows for it.
    const float top = std::max(std::fabs(g.scalar.lo()), std::fabs(g.scalar.lo() + 255 * step));
    const float magnitude = l2_ ? 3.0f * (255 * step) * (255 * step) : 4.0f * top * top;
    slack_ = 1e-5f * static_cast<float>(dim_) * magnitude;
  }

  Query MakeQuery(const float* v, uint8_t* buf) const {
    g_.scalar.Encode(v, dim_, buf);
    Int8Terms terms;
    Terms(v, buf, &terms);
    double decoded_norm = 0;
    for (size_t i = 0; i < dim_; ++i) {
      const double x = g_.scalar.Decode(buf[i]);
      decoded_norm += x * x;
    }
    Query q = Shift(buf, buf, terms.b);
    q.residual = terms.residual;
    q.norm = static_cast<float>(std::sqrt(decoded_norm));
    return q;
  }
  Query NodeQuery(uint32_t id, uint8_t* buf) const {
    return Shift(g_.Code(id), buf, g_.int8_terms[id].b);
  }
  float Dist(const Query& q, uint32_t id) const {
    return FromDot(q, id, dot_(g_.Code(id), q.s8, dim_));
  }
  void DistMany(const Query& q, const uint32_t* ids, size_t count, float* out) const {
    int32_t dots[kChunk];
    for (size_t start = 0; start < count; start += kChunk) {
      const size_t part = std::min(kChunk, count - start);
      dot_many_(q.s8, g_.Code(0), g_.block_bytes, ids + start, part, dim_, dots);
      for (size_t i = 0; i < part; ++i) out[start + i] = FromDot(q, ids[start + i], dots[i]);
    }
  }

  void Prefetch(uint32_t id) const {
    PrefetchCode(g_, id);
    __builtin_prefetch(a_ + id, 0, 3);
  }
  // L2: |x - q| >= |x' - q'| - |x - x'| - |q - q'| (x', q' decoded).
  // Dot: |x.q - x'.q'| <= |x| |q - q'| + |x - x'| |q'|.
  float LowerBound(const Query& q, float approx, uint32_t id) const {
    const Int8Terms& t = g_.int8_terms[id];
    if (l2_) {
      const float root = std::sqrt(std::max(approx, 0.0f)) - t.residual - q.residual;
      return (root > 0.0f ? root * root : 0.0f) - slack_;
    }
    return approx - (t.norm * q.residual + t.residual * q.norm) - slack_;
  }

  // Returns a and fills the other terms of vector v whose code is `code` (dim bytes).
  float Terms(const float* v, const uint8_t* code, Int8Terms* terms) const {
    int64_t sum = 0, sum_sq = 0;
    double residual = 0, norm = 0;
    for (size_t i = 0; i < dim_; ++i) {
      sum += code[i];
      sum_sq += int64_t{code[i]} * code[i];
      const double e = double{v[i]} - g_.scalar.Decode(code[i]);
      residual += e * e;
      norm += double{v[i]} * v[i];
    }
    const double lo = g_.scalar.lo(), step = g_.scalar.step();
    double a;
    if (l2_) {
      a = step * step * static_cast<double>(sum_sq - 256 * sum);
      terms->b = static_cast<float>(step * step * static_cast<double>(sum_sq));
    } else {
      a = -(lo * step + 128.0 * step * step) * static_cast<double>(sum);
      terms->b = static_cast<float>(
          -(static_cast<double>(dim_) * lo * lo + lo * step * static_cast<double>(sum)));
    }
    terms->residual = static_cast<float>(std::sqrt(residual));
    terms->norm = static_cast<float>(std::sqrt(norm));
    return static_cast<float>(a);
  }

 private:
  // a(node) + b(query) + c(query) * dot: the distance (see the header comment).
  float FromDot(const Query& q, uint32_t id, int32_t dot) const {
    return NanToInf(a_[id] + q.b + q.c * static_cast<float>(dot));
  }
  Query Shift(const uint8_t* code, uint8_t* buf, float b) const {
    // c - 128 as a signed byte is c with its top bit flipped; eight bytes at a time.
    const size_t dim = dim_;
    size_t i = 0;
    for (; i + 8 <= dim; i += 8) {
      uint64_t word;
      std::memcpy(&word, code + i, 8);
      word ^= 0x8080808080808080ull;
      std::memcpy(buf + i, &word, 8);
    }
    for (; i < dim; ++i) buf[i] = static_cast<uint8_t>(code[i] ^ 0x80u);
    Query q;
    q.s8 = reinterpret_cast<const int8_t*>(buf);
    q.b = b;
    q.c = c_;
    return q;
  }

  const Graph& g_;
  size_t dim_;
  bool l2_;
  const float* a_;
  float c_ = 0.0f;
  float slack_ = 0.0f;
  int32_t (*dot_)(const uint8_t*, const int8_t*, size_t);
  decltype(vec::QuantizedKernels::dot_u8i8_many) dot_many_;
  static constexpr size_t kChunk = 64;  // DistMany's dot products per kernel call
};

// kManhattan on int8 codes: step * sum |c - qc|, the L1 distance of the decoded vectors.
class Int8L1Space {
 public:
  explicit Int8L1Space(const Graph& g)
      : g_(g), dim_(g.dim), l1_(vec::ActiveQuantizedKernels().l1_u8),
        slack_(1e-5f * static_cast<float>(g.dim) * 255.0f * g.scalar.step()) {}

  Query MakeQuery(const float* v, uint8_t* buf) const {
    g_.scalar.Encode(v, dim_, buf);
    Query q = FromCode(buf);
    q.residual = Residual(v, buf);
    return q;
  }
  Query NodeQuery(uint32_t id, uint8_t*) const { return FromCode(g_.Code(id)); }
  float Dist(const Query& q, uint32_t id) const {
    return NanToInf(q.c * static_cast<float>(l1_(g_.Code(id), q.u8, dim_)));
  }
  void DistMany(const Query& q, const uint32_t* ids, size_t count, float* out) const {
    DistEach(*this, q, ids, count, out);
  }

  void Prefetch(uint32_t id) const { PrefetchCode(g_, id); }
  // |L1(x, q) - L1(x', q')| <= L1(x, x') + L1(q, q').
  float LowerBound(const Query& q, float approx, uint32_t id) const {
    return approx - g_.int8_terms[id].residual - q.residual - slack_;
  }

  // L1(v, decoded code).
  float Residual(const float* v, const uint8_t* code) const {
    double residual = 0;
    for (size_t i = 0; i < dim_; ++i) residual += std::fabs(double{v[i]} - g_.scalar.Decode(code[i]));
    return static_cast<float>(residual);
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
  float slack_;
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
  float Dist(const Query& q, uint32_t id) const {
    return static_cast<float>(
        hamming_(reinterpret_cast<const uint64_t*>(g_.Code(id)), q.bits, words_));
  }
  void DistMany(const Query& q, const uint32_t* ids, size_t count, float* out) const {
    DistEach(*this, q, ids, count, out);
  }

  void Prefetch(uint32_t id) const { PrefetchCode(g_, id); }
  // Bits say little about the float distance: every candidate is rescored.
  float LowerBound(const Query&, float, uint32_t) const {
    return -std::numeric_limits<float>::infinity();
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
