#pragma once
// Internal to src/vector: the per-instruction-set kernels behind quantized_distance.h, for the
// dispatcher (quantized_distance.cc) and the tests.
//
// REQUIRES: call avx2::* only when CpuHasQuantizedAvx2() and avx512::* only when
// CpuHasQuantizedAvx512(); otherwise the process dies of an illegal instruction. All kernels
// accept any n (including 0) and unaligned pointers, and never read past the last element.

#include <cstddef>
#include <cstdint>

namespace quiver::vec {

// AVX2 and POPCNT: what quantized_distance_avx2.cc is compiled for.
bool CpuHasQuantizedAvx2();
// AVX-512 F, BW, VL, VNNI and VPOPCNTDQ: what quantized_distance_avx512.cc is compiled for.
bool CpuHasQuantizedAvx512();

#define QUIVER_QUANTIZED_KERNELS                                                             \
  int32_t DotU8I8(const uint8_t* a, const int8_t* b, size_t n);                             \
  void DotU8I8Many(const int8_t* q, const uint8_t* base, size_t stride, const uint32_t* ids, \
                   size_t count, size_t n, int32_t* out);                                    \
  uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n);                              \
  uint64_t Hamming(const uint64_t* a, const uint64_t* b, size_t words);

namespace scalar {
QUIVER_QUANTIZED_KERNELS
}  // namespace scalar
namespace avx2 {
QUIVER_QUANTIZED_KERNELS
}  // namespace avx2
namespace avx512 {
QUIVER_QUANTIZED_KERNELS
}  // namespace avx512

#undef QUIVER_QUANTIZED_KERNELS

}  // namespace quiver::vec
