// AVX2 + FMA kernels; this file alone is compiled with -mavx2 -mfma.
//
// Include nothing here but <immintrin.h> and our own declarations: an inline function or
// template from a standard header instantiated in this file would be compiled with AVX2, and the
// linker may keep that copy for the whole program, which would then crash on older CPUs.
// Helpers stay in an anonymous namespace for the same reason.

#include <immintrin.h>

#include "vector/distance_impl.h"

namespace quiver::vec::avx2 {
namespace {

constexpr size_t kLanes = 8;

// Lanes [8 - r, 16 - r) form a mask whose first r lanes are set, for 0 <= r < 8.
alignas(64) constexpr int kTailMask[2 * kLanes] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                   0,  0,  0,  0,  0,  0,  0,  0};

inline float HorizontalSum(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

struct DotOp {
  __m256 operator()(__m256 acc, __m256 a, __m256 b) const { return _mm256_fmadd_ps(a, b, acc); }
};

struct L2Op {
  __m256 operator()(__m256 acc, __m256 a, __m256 b) const {
    const __m256 d = _mm256_sub_ps(a, b);
    return _mm256_fmadd_ps(d, d, acc);
  }
};

struct L1Op {
  __m256 operator()(__m256 acc, __m256 a, __m256 b) const {
    const __m256 d = _mm256_sub_ps(a, b);
    return _mm256_add_ps(acc, _mm256_andnot_ps(_mm256_set1_ps(-0.0f), d));  // clear sign bit
  }
};

// Sums op over all n lanes. Four independent accumulators hide the FMA latency; the tail of
// fewer than 8 floats is read with a masked load, which never touches memory past the end.
// Every op maps (0, 0) lanes to a zero contribution, so masked-off lanes add nothing.
template <typename Op>
float Reduce(const float* a, const float* b, size_t n, Op op) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps();
  __m256 acc3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    acc0 = op(acc0, _mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    acc1 = op(acc1, _mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    acc2 = op(acc2, _mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
    acc3 = op(acc3, _mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
  }
  for (; i + kLanes <= n; i += kLanes) {
    acc0 = op(acc0, _mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
  }
  if (i < n) {
    const __m256i mask =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + kLanes - (n - i)));
    acc1 = op(acc1, _mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask));
  }
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

}  // namespace

float Dot(const float* a, const float* b, size_t n) { return Reduce(a, b, n, DotOp{}); }
float L2Squared(const float* a, const float* b, size_t n) { return Reduce(a, b, n, L2Op{}); }
float L1(const float* a, const float* b, size_t n) { return Reduce(a, b, n, L1Op{}); }

#include "vector/distance_many.inc"  // DotMany, L2SquaredMany, L1Many

}  // namespace quiver::vec::avx2
