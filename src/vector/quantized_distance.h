#pragma once
// Distance kernels over quantized codes: int8/uint8 scalar-quantized vectors and one-bit
// (binary) vectors, for index traversal on compact codes (src/index/).
//
// Each function has a scalar reference (quantized_distance_scalar.cc) and AVX2 and AVX-512
// versions (quantized_distance_{avx2,avx512}.cc, each compiled with its own flags); the fastest
// one the CPU supports is chosen once, on first use, by a CPU check (quantized_distance.cc). All
// results are exact integers, so every version returns the same value as the reference.
//
// Thread safety: the functions are pure; the choice of version is made once (a function-local
// static) and read-only afterwards.

#include <cstddef>
#include <cstdint>

namespace quiver::vec {

// sum a_i * b_i over n bytes, a unsigned (0..255), b signed (-128..127): the shape of the
// AVX-512 VNNI instruction vpdpbusd. REQUIRES: n <= 65536 (keeps the sum inside int32).
int32_t DotU8I8(const uint8_t* a, const int8_t* b, size_t n);

// sum |a_i - b_i| over n unsigned bytes. REQUIRES: n <= 2^24.
uint32_t L1U8(const uint8_t* a, const uint8_t* b, size_t n);

// Number of differing bits between two bit strings of `words` 64-bit words.
uint64_t Hamming(const uint64_t* a, const uint64_t* b, size_t words);

// The chosen versions as plain function pointers, for hot loops that want to skip the dispatch
// of the functions above on every call. Never null.
struct QuantizedKernels {
  int32_t (*dot_u8i8)(const uint8_t*, const int8_t*, size_t);
  // out[i] = dot_u8i8(row(ids[i]), q, n) for i < count, row(id) the n bytes at base + id * stride:
  // a graph walk's neighbours in one call.
  void (*dot_u8i8_many)(const int8_t* q, const uint8_t* base, size_t stride, const uint32_t* ids,
                        size_t count, size_t n, int32_t* out);
  uint32_t (*l1_u8)(const uint8_t*, const uint8_t*, size_t);
  uint64_t (*hamming)(const uint64_t*, const uint64_t*, size_t);
  const char* name;  // "scalar", "avx2" or "avx512" (AVX-512 with VNNI and VPOPCNTDQ)
};
const QuantizedKernels& ActiveQuantizedKernels();

}  // namespace quiver::vec
