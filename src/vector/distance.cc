// Run-time dispatch for distance.h: the first call picks the fastest kernels the CPU supports
// (AVX-512, else AVX2+FMA, else scalar) and every later call goes through the same pointers.
//
// Thread safety: the choice is a function-local static, so C++ guarantees it is made exactly
// once even when the first calls race; afterwards it is read-only.

#include "vector/distance.h"

#include <cmath>
#include <limits>

#include "vector/distance_impl.h"

namespace quiver::vec {

bool CpuHasAvx2() {
  __builtin_cpu_init();  // harmless if already done; needed if we run before libgcc's own init
  // libgcc's check includes the OS having enabled the AVX register state (XCR0).
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("fma");
}

namespace {

struct Kernels {
  DistanceKernel dot;
  DistanceKernel l2_squared;
  DistanceKernel l1;
  ManyKernel dot_many;
  ManyKernel l2_squared_many;
  ManyKernel l1_many;
  const char* name;
};

Kernels Choose() {
  if (CpuHasAvx512()) {
    return {avx512::Dot,     avx512::L2Squared,     avx512::L1,     avx512::DotMany,
            avx512::L2SquaredMany, avx512::L1Many, "avx512"};
  }
  if (CpuHasAvx2()) {
    return {avx2::Dot,     avx2::L2Squared,     avx2::L1,     avx2::DotMany,
            avx2::L2SquaredMany, avx2::L1Many, "avx2"};
  }
  return {scalar::Dot,     scalar::L2Squared,     scalar::L1,     scalar::DotMany,
          scalar::L2SquaredMany, scalar::L1Many, "scalar"};
}

const Kernels& Active() {
  static const Kernels kernels = Choose();
  return kernels;
}

}  // namespace

// Below this many dimensions the scalar loop is used: SIMD set-up does not pay off, and the
// sequential sum gives bit-for-bit the scores Qdrant reports for small vectors (it switches to
// SIMD at 16 dimensions too), which clients' tests compare exactly.
constexpr size_t kMinSimdDims = 16;

DistanceKernel DotKernel(size_t n) { return n < kMinSimdDims ? scalar::Dot : Active().dot; }
DistanceKernel L2SquaredKernel(size_t n) {
  return n < kMinSimdDims ? scalar::L2Squared : Active().l2_squared;
}
DistanceKernel L1Kernel(size_t n) { return n < kMinSimdDims ? scalar::L1 : Active().l1; }
ManyKernel DotManyKernel(size_t n) {
  return n < kMinSimdDims ? scalar::DotMany : Active().dot_many;
}
ManyKernel L2SquaredManyKernel(size_t n) {
  return n < kMinSimdDims ? scalar::L2SquaredMany : Active().l2_squared_many;
}
ManyKernel L1ManyKernel(size_t n) { return n < kMinSimdDims ? scalar::L1Many : Active().l1_many; }

float Dot(const float* a, const float* b, size_t n) { return DotKernel(n)(a, b, n); }
float L2Squared(const float* a, const float* b, size_t n) { return L2SquaredKernel(n)(a, b, n); }
float L1(const float* a, const float* b, size_t n) { return L1Kernel(n)(a, b, n); }

void Normalize(float* v, size_t n) {
  const float length = std::sqrt(Dot(v, v, n));
  // Zero stays zero, and an already unit vector is left exactly as it is (as Qdrant does); a NaN
  // or overflowing (infinite) norm also leaves v untouched rather than turning it into NaNs.
  if (!(length >= std::numeric_limits<float>::epsilon()) || !std::isfinite(length) ||
      std::fabs(length - 1.0f) <= 1e-6f) {
    return;
  }
  // Division rather than multiplication by 1/length: the same rounding as Qdrant.
  for (size_t i = 0; i < n; ++i) v[i] /= length;
}

const char* KernelName() { return Active().name; }

}  // namespace quiver::vec
