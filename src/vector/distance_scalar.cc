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

namespace {

const float* Row(const uint8_t* base, size_t stride, uint32_t id) {
  return reinterpret_cast<const float*>(base + size_t{id} * stride);
}

}  // namespace

void DotMany(const float* q, const uint8_t* base, size_t stride, const uint32_t* ids,
             size_t count, size_t n, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = Dot(q, Row(base, stride, ids[i]), n);
}
void L2SquaredMany(const float* q, const uint8_t* base, size_t stride, const uint32_t* ids,
                   size_t count, size_t n, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = L2Squared(q, Row(base, stride, ids[i]), n);
}
void L1Many(const float* q, const uint8_t* base, size_t stride, const uint32_t* ids,
            size_t count, size_t n, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = L1(q, Row(base, stride, ids[i]), n);
}

}  // namespace quiver::vec::scalar
