// Plain C++ reference kernels for quantized_distance.h. The SIMD versions are tested against
// these, so keep them obviously correct rather than fast.

#include "vector/quantized_distance_impl.h"

namespace quiver::vec::scalar {

int32_t DotU8I8(const uint8_t* a, const int8_t* b, size_t n) {
  int32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += int32_t{a[i]} * int32_t{b[i]};
  return sum;
}

// DotU8I8 of q with each listed row (the code at base + id * stride).
void DotU8I8Many(const int8_t* q, const uint8_t* base, size_t stride, const uint32_t* ids,
                 size_t count, size_t n, int32_t* out) {
  for (size_t i = 0; i < count; ++i) out[i] = DotU8I8(base + size_t{ids[i]} * stride, q, n);
}

uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
  return sum;
}

uint64_t Hamming(const uint64_t* a, const uint64_t* b, size_t words) {
  uint64_t sum = 0;
  for (size_t i = 0; i < words; ++i) {
    // Kernighan's loop: no POPCNT instruction assumed in the reference.
    for (uint64_t x = a[i] ^ b[i]; x != 0; x &= x - 1) ++sum;
  }
  return sum;
}

}  // namespace quiver::vec::scalar
