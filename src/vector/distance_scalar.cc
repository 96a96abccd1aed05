// Plain C++ reference kernels: one accumulator, summed in index order. The SIMD versions are
// tested against these, so keep them obviously correct rather than fast.

#include <cmath>

#include "vector/distance_impl.h"

namespace quiver::vec::scalar {

float Dot(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

float L2Squared(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

float L1(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += std::fabs(a[i] - b[i]);
  return sum;
}

#include "vector/distance_many.inc"  // DotMany, L2SquaredMany, L1Many

}  // namespace quiver::vec::scalar
