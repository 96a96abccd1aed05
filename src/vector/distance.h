#pragma once
// Distance kernels over float32 vectors.
//
// Each function has a scalar reference (distance_scalar.cc) and AVX2+FMA / AVX-512 versions
// (distance_avx2.cc, distance_avx512.cc, compiled with their own flags). The fastest version the
// CPU supports is chosen once, on first use, by a CPU check (distance.cc).

#include <cstddef>

namespace quiver::vec {

float Dot(const float* a, const float* b, size_t n);
float L2Squared(const float* a, const float* b, size_t n);  // sum (a_i - b_i)^2
float L1(const float* a, const float* b, size_t n);         // sum |a_i - b_i|

// The function Dot / L2Squared / L1 use for vectors of n floats, for a caller that computes many
// distances of one dimension (a graph walk) and calls it directly, without the dispatch.
using DistanceKernel = float (*)(const float*, const float*, size_t);
DistanceKernel DotKernel(size_t n);
DistanceKernel L2SquaredKernel(size_t n);
DistanceKernel L1Kernel(size_t n);

// Scales v to unit length in place; a zero vector is left as it is.
void Normalize(float* v, size_t n);

// Which implementation the dispatcher chose: "scalar", "avx2" or "avx512".
const char* KernelName();

}  // namespace quiver::vec
