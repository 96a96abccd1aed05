// Run-time dispatch for distance.h: the first call picks the fastest kernels the CPU supports
// (AVX-512, else AVX2+FMA, else scalar) and every later call goes through the same pointers.
//
// Thread safety: the choice is a function-local static, so C++ guarantees it is made exactly
// once even when the first calls race; afterwards it is read-only.

#include "vector/distance.h"

#include <cmath>

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

using PairKernel = float (*)(const float*, const float*, size_t);

struct Kernels {
  PairKernel dot;
  PairKernel l2_squared;
  PairKernel l1;
  const char* name;
};

Kernels Choose() {
  if (CpuHasAvx512()) return {avx512::Dot, avx512::L2Squared, avx512::L1, "avx512"};
  if (CpuHasAvx2()) return {avx2::Dot, avx2::L2Squared, avx2::L1, "avx2"};
  return {scalar::Dot, scalar::L2Squared, scalar::L1, "scalar"};
}

const Kernels& Active() {
  static const Kernels kernels = Choose();
  return kernels;
}

}  // namespace

float Dot(const float* a, const float* b, size_t n) { return Active().dot(a, b, n); }

float L2Squared(const float* a, const float* b, size_t n) { return Active().l2_squared(a, b, n); }

float L1(const float* a, const float* b, size_t n) { return Active().l1(a, b, n); }

void Normalize(float* v, size_t n) {
  const float norm_squared = Dot(v, v, n);
  // Zero stays zero; a NaN or overflowing (infinite) norm also leaves v untouched rather than
  // turning it into NaNs or zeros.
  if (!(norm_squared > 0.0f) || !std::isfinite(norm_squared)) return;
  const float scale = 1.0f / std::sqrt(norm_squared);
  for (size_t i = 0; i < n; ++i) v[i] *= scale;
}

const char* KernelName() { return Active().name; }

}  // namespace quiver::vec
