// AVX2 kernels for quantized_distance.h; this file alone is compiled with -mavx2 -mpopcnt.
// Like distance_avx2.cc it includes nothing but <immintrin.h> and our own declarations, so that
// no inline function from a standard header is instantiated with AVX2 instructions.
//
// The u8 x i8 product is widened to 16 bits (vpmaddwd) rather than using vpmaddubsw, whose
// 16-bit pair sums saturate (255 * -128 * 2 does not fit) and would give wrong results.

#include <immintrin.h>

#include "vector/quantized_distance_impl.h"

namespace quiver::vec::avx2 {
namespace {

inline int32_t HorizontalSumEpi32(__m256i v) {
  __m128i x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(1, 0, 3, 2)));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(x);
}

}  // namespace

int32_t DotU8I8(const uint8_t* a, const int8_t* b, size_t n) {
  __m256i acc0 = _mm256_setzero_si256();
  __m256i acc1 = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i a0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    const __m256i a1 =
        _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 16)));
    const __m256i b1 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 16)));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, b0));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(a1, b1));
  }
  int32_t sum = HorizontalSumEpi32(_mm256_add_epi32(acc0, acc1));
  for (; i < n; ++i) sum += int32_t{a[i]} * int32_t{b[i]};
  return sum;
}

// DotU8I8 of q with each listed row (the code at base + id * stride).
void DotU8I8Many(const int8_t* q, const uint8_t* base, size_t stride, const uint32_t* ids,
                 size_t count, size_t n, int32_t* out) {
  for (size_t i = 0; i < count; ++i) out[i] = DotU8I8(base + size_t{ids[i]} * stride, q, n);
}

uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n) {
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    acc = _mm256_add_epi64(acc, _mm256_sad_epu8(va, vb));  // four 64-bit partial sums
  }
  const __m128i x = _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  uint64_t sum = static_cast<uint64_t>(_mm_cvtsi128_si64(x)) +
                 static_cast<uint64_t>(_mm_extract_epi64(x, 1));
  for (; i < n; ++i) sum += a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
  return static_cast<uint32_t>(sum);
}

uint64_t Hamming(const uint64_t* a, const uint64_t* b, size_t words) {
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= words; i += 4) {
    s0 += static_cast<uint64_t>(_mm_popcnt_u64(a[i] ^ b[i]));
    s1 += static_cast<uint64_t>(_mm_popcnt_u64(a[i + 1] ^ b[i + 1]));
    s2 += static_cast<uint64_t>(_mm_popcnt_u64(a[i + 2] ^ b[i + 2]));
    s3 += static_cast<uint64_t>(_mm_popcnt_u64(a[i + 3] ^ b[i + 3]));
  }
  for (; i < words; ++i) s0 += static_cast<uint64_t>(_mm_popcnt_u64(a[i] ^ b[i]));
  return s0 + s1 + s2 + s3;
}

}  // namespace quiver::vec::avx2
