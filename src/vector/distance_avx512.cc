// AVX-512 kernels; this file alone is compiled with -mavx512f/bw/dq/vl -mfma. Only AVX-512F
// intrinsics are used, but the compiler may emit the other extensions, which is why the
// dispatcher checks for all four (CpuHasAvx512).
//
// Include nothing here but <immintrin.h> and our own declarations: an inline function or
// template from a standard header instantiated in this file would be compiled with AVX-512, and
// the linker may keep that copy for the whole program, which would then crash on older CPUs.
// Helpers stay in an anonymous namespace for the same reason.

#include <immintrin.h>

#include "vector/distance_impl.h"

namespace quiver::vec::avx512 {
namespace {

constexpr size_t kLanes = 16;

// Sums the 16 lanes of v. Written with the zero-masked forms of the shuffles and extract, all
// lanes enabled: GCC 12's plain forms (and _mm512_reduce_add_ps, _mm512_castps512_ps128, built
// on them) start from an "undefined" vector that trips -Wuninitialized inside the compiler's own
// header (GCC bug 105593), which -Werror turns into a build failure. The full mask costs nothing.
inline float HorizontalSum(__m512 v) {
  constexpr __mmask16 kAll16 = 0xFFFF;
  constexpr __mmask8 kAll4 = 0xF;
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(kAll16, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(kAll16, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  __m128 x = _mm512_maskz_extractf32x4_ps(kAll4, v, 0);
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

struct DotOp {
  __m512 operator()(__m512 acc, __m512 a, __m512 b) const { return _mm512_fmadd_ps(a, b, acc); }
};

struct L2Op {
  __m512 operator()(__m512 acc, __m512 a, __m512 b) const {
    const __m512 d = _mm512_sub_ps(a, b);
    return _mm512_fmadd_ps(d, d, acc);
  }
};

struct L1Op {
  __m512 operator()(__m512 acc, __m512 a, __m512 b) const {
    return _mm512_add_ps(acc, _mm512_abs_ps(_mm512_sub_ps(a, b)));
  }
};

// Sums op over all n lanes. Four independent accumulators hide the FMA latency; the tail of
// fewer than 16 floats is read with a zero-masked load, which never touches memory past the end
// and makes the masked-off lanes (0, 0), which every op maps to a zero contribution.
template <typename Op>
float Reduce(const float* a, const float* b, size_t n, Op op) {
  __m512 acc0 = _mm512_setzero_ps();
  __m512 acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps();
  __m512 acc3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
    acc0 = op(acc0, _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    acc1 = op(acc1, _mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
    acc2 = op(acc2, _mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
    acc3 = op(acc3, _mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
  }
  for (; i + kLanes <= n; i += kLanes) {
    acc0 = op(acc0, _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
  }
  if (i < n) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (n - i)) - 1u);
    acc1 = op(acc1, _mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
  }
  return HorizontalSum(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

}  // namespace

float Dot(const float* a, const float* b, size_t n) { return Reduce(a, b, n, DotOp{}); }
float L2Squared(const float* a, const float* b, size_t n) { return Reduce(a, b, n, L2Op{}); }
float L1(const float* a, const float* b, size_t n) { return Reduce(a, b, n, L1Op{}); }

#include "vector/distance_many.inc"  // DotMany, L2SquaredMany, L1Many

}  // namespace quiver::vec::avx512
