// AVX-512 kernels for quantized_distance.h; this file alone is compiled with
// -mavx512f/bw/vl/vnni/vpopcntdq. Includes nothing but <immintrin.h> and our own declarations
// (see distance_avx512.cc for why).
//
// DotU8I8 is one vpdpbusd per 64 bytes (four u8 x i8 products summed into each int32 lane);
// L1U8 is vpsadbw; Hamming is vpopcntq over XORed words. Tails use zero-masked loads, which never
// touch memory past the end and contribute zero.

#include <immintrin.h>

#include "vector/quantized_distance_impl.h"

namespace quiver::vec::avx512 {
namespace {

// Lane sums through shuffles. The zero-masked extract with every lane enabled stands in for the
// plain one, whose "undefined" source trips -Wuninitialized in GCC 12 (bug 105593).
inline int64_t SumEpi32(__m512i v) {
  const __m256i a = _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xFF, v, 0),
                                     _mm512_maskz_extracti64x4_epi64(0xFF, v, 1));
  __m128i x = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(1, 0, 3, 2)));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(x);
}

inline uint64_t SumEpi64(__m512i v) {
  const __m256i a = _mm256_add_epi64(_mm512_maskz_extracti64x4_epi64(0xFF, v, 0),
                                     _mm512_maskz_extracti64x4_epi64(0xFF, v, 1));
  const __m128i x = _mm_add_epi64(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
  return static_cast<uint64_t>(_mm_cvtsi128_si64(x)) +
         static_cast<uint64_t>(_mm_extract_epi64(x, 1));
}

inline __mmask64 TailMask64(size_t count) {  // REQUIRES: count < 64
  return (uint64_t{1} << count) - 1;
}

}  // namespace

int32_t DotU8I8(const uint8_t* a, const int8_t* b, size_t n) {
  __m512i acc0 = _mm512_setzero_si512();
  __m512i acc1 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512(a + i + 64),
                               _mm512_loadu_si512(b + i + 64));
  }
  if (i + 64 <= n) {
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    i += 64;
  }
  if (i < n) {
    const __mmask64 mask = TailMask64(n - i);
    acc1 = _mm512_dpbusd_epi32(acc1, _mm512_maskz_loadu_epi8(mask, a + i),
                               _mm512_maskz_loadu_epi8(mask, b + i));
  }
  return static_cast<int32_t>(SumEpi32(_mm512_add_epi32(acc0, acc1)));
}

// DotU8I8 of q with each listed row (the code at base + id * stride).
void DotU8I8Many(const int8_t* q, const uint8_t* base, size_t stride, const uint32_t* ids,
                 size_t count, size_t n, int32_t* out) {
  for (size_t i = 0; i < count; ++i) out[i] = DotU8I8(base + size_t{ids[i]} * stride, q, n);
}

uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n) {
  __m512i acc0 = _mm512_setzero_si512();
  __m512i acc1 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    acc0 = _mm512_add_epi64(acc0, _mm512_sad_epu8(_mm512_loadu_si512(a + i),
                                                  _mm512_loadu_si512(b + i)));
    acc1 = _mm512_add_epi64(acc1, _mm512_sad_epu8(_mm512_loadu_si512(a + i + 64),
                                                  _mm512_loadu_si512(b + i + 64)));
  }
  if (i + 64 <= n) {
    acc0 = _mm512_add_epi64(acc0, _mm512_sad_epu8(_mm512_loadu_si512(a + i),
                                                  _mm512_loadu_si512(b + i)));
    i += 64;
  }
  if (i < n) {
    const __mmask64 mask = TailMask64(n - i);
    acc1 = _mm512_add_epi64(acc1, _mm512_sad_epu8(_mm512_maskz_loadu_epi8(mask, a + i),
                                                  _mm512_maskz_loadu_epi8(mask, b + i)));
  }
  return static_cast<uint32_t>(SumEpi64(_mm512_add_epi64(acc0, acc1)));
}

uint64_t Hamming(const uint64_t* a, const uint64_t* b, size_t words) {
  __m512i acc = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 8 <= words; i += 8) {
    const __m512i x = _mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
  }
  if (i < words) {
    const __mmask8 mask = static_cast<__mmask8>((1u << (words - i)) - 1u);
    const __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi64(mask, a + i),
                                       _mm512_maskz_loadu_epi64(mask, b + i));
    acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
  }
  return SumEpi64(acc);
}

}  // namespace quiver::vec::avx512
