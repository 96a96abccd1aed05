// Run-time dispatch for quantized_distance.h: the first call picks the fastest kernels the CPU
// supports (AVX-512 with VNNI and VPOPCNTDQ, else AVX2 with POPCNT, else scalar).
//
// Thread safety: the choice is a function-local static, made exactly once even when the first
// calls race; afterwards it is read-only.

#include "vector/quantized_distance.h"

#include "vector/quantized_distance_impl.h"

namespace quiver::vec {

bool CpuHasQuantizedAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

bool CpuHasQuantizedAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
         __builtin_cpu_supports("avx512vpopcntdq");
}

namespace {

QuantizedKernels Choose() {
  if (CpuHasQuantizedAvx512()) {
    return {avx512::DotU8I8, avx512::DotU8I8Many, avx512::L1U8, avx512::Hamming, "avx512"};
  }
  if (CpuHasQuantizedAvx2()) {
    return {avx2::DotU8I8, avx2::DotU8I8Many, avx2::L1U8, avx2::Hamming, "avx2"};
  }
  return {scalar::DotU8I8, scalar::DotU8I8Many, scalar::L1U8, scalar::Hamming, "scalar"};
}

}  // namespace

const QuantizedKernels& ActiveQuantizedKernels() {
  static const QuantizedKernels kernels = Choose();
  return kernels;
}

int32_t DotU8I8(const uint8_t* a, const int8_t* b, size_t n) {
  return ActiveQuantizedKernels().dot_u8i8(a, b, n);
}

uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n) {
  return ActiveQuantizedKernels().l1_u8(a, b, n);
}

uint64_t Hamming(const uint64_t* a, const uint64_t* b, size_t words) {
  return ActiveQuantizedKernels().hamming(a, b, words);
}

}  // namespace quiver::vec
