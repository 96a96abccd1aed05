#pragma once
// Distance kernels over float32 vectors.
//
// Each function has a scalar reference (distance_scalar.cc) and AVX2+FMA / AVX-512 versions
// (distance_avx2.cc, distance_avx512.cc, compiled with their own flags). The fastest version the
// CPU supports is chosen once, on first use, by a CPU check (distance.cc).

#include <cstddef>
#include <cstdint>

namespace quiver::vec {

float Dot(const float* a, const float* b, size_t n);
float L2Squared(const float* a, const float* b, size_t n);  // sum (a_i - b_i)^2
float L1(const float* a, const float* b, size_t n);         // sum |a_i - b_i|

// The function Dot / L2Squared / L1 use for vectors of n floats, for a caller that computes many
// distances of one dimension (building a graph) and calls it directly, without the dispatch.
using DistanceKernel = float (*)(const float*, const float*, size_t);
DistanceKernel DotKernel(size_t n);
DistanceKernel L2SquaredKernel(size_t n);
DistanceKernel L1Kernel(size_t n);

// One query against several rows of a table: out[i] = f(q, row(ids[i]), n) for i < count, where
// row(id) is the n floats at base + id * stride bytes, bit for bit what the one-pair function f
// returns. One call for a graph walk's neighbours, rather than one per neighbour.
using ManyKernel = void (*)(const float* q, const uint8_t* base, size_t stride,
                            const uint32_t* ids, size_t count, size_t n, float* out);
ManyKernel DotManyKernel(size_t n);
ManyKernel L2SquaredManyKernel(size_t n);
ManyKernel L1ManyKernel(size_t n);

// Scales v to unit length in place; a zero vector is left as it is.
void Normalize(float* v, size_t n);

// Which implementation the dispatcher chose: "scalar", "avx2" or "avx512".
const char* KernelName();

}  // namespace quiver::vec
