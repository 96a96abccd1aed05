#pragma once
// Internal to src/vector: the per-instruction-set kernels behind distance.h, for the dispatcher
// (distance.cc) and the tests. Everything else calls the dispatched functions in distance.h.
//
// Each namespace's functions live in their own source file, compiled with that instruction set's
// flags. REQUIRES: call avx2::* only when CpuHasAvx2() and avx512::* only when CpuHasAvx512();
// otherwise the process dies of an illegal instruction.
//
// All kernels accept any n (including 0) and unaligned pointers, and never read past a[n-1] or
// b[n-1]. The SIMD versions sum in a different order from the scalar reference, so results agree
// to rounding, not bit for bit.

#include <cstddef>
#include <cstdint>

namespace quiver::vec {

// True when the CPU (and OS) support what distance_avx2.cc is compiled for: AVX2 and FMA.
bool CpuHasAvx2();
// True when the CPU (and OS) support what distance_avx512.cc is compiled for: AVX-512 F, BW,
// DQ and VL (the file's flags let the compiler emit any of them, so all four are checked).
bool CpuHasAvx512();

// Each version: the one-pair kernels, and the same for several rows of a table (distance.h).
#define QUIVER_DISTANCE_KERNELS                                                                 \
  float Dot(const float* a, const float* b, size_t n);                                         \
  float L2Squared(const float* a, const float* b, size_t n);                                   \
  float L1(const float* a, const float* b, size_t n);                                          \
  void DotMany(const float* q, const uint8_t* base, size_t stride, const uint32_t* ids,        \
               size_t count, size_t n, float* out);                                             \
  void L2SquaredMany(const float* q, const uint8_t* base, size_t stride, const uint32_t* ids,  \
                     size_t count, size_t n, float* out);                                       \
  void L1Many(const float* q, const uint8_t* base, size_t stride, const uint32_t* ids,         \
              size_t count, size_t n, float* out);

namespace scalar {
QUIVER_DISTANCE_KERNELS
}  // namespace scalar
namespace avx2 {
QUIVER_DISTANCE_KERNELS
}  // namespace avx2
namespace avx512 {
QUIVER_DISTANCE_KERNELS
}  // namespace avx512

#undef QUIVER_DISTANCE_KERNELS

}  // namespace quiver::vec
