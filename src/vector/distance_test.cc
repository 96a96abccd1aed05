// Every kernel version the CPU supports, checked against the scalar reference over awkward
// dimensions (tails of every length, unaligned starts), plus the dispatched entry points.
// Versions the CPU lacks are left out of the list, never called.

#include "vector/distance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "vector/distance_impl.h"

namespace quiver::vec {
namespace {

using PairKernel = float (*)(const float*, const float*, size_t);

struct KernelSet {
  const char* name;
  PairKernel dot;
  PairKernel l2_squared;
  PairKernel l1;
};

// The SIMD versions this CPU can run; the scalar reference itself is not in the list.
std::vector<KernelSet> SimdKernels() {
  std::vector<KernelSet> sets;
  if (CpuHasAvx2()) sets.push_back({"avx2", avx2::Dot, avx2::L2Squared, avx2::L1});
  if (CpuHasAvx512()) sets.push_back({"avx512", avx512::Dot, avx512::L2Squared, avx512::L1});
  return sets;
}

// The dispatched functions, tested the same way.
KernelSet Dispatched() { return {"dispatched", Dot, L2Squared, L1}; }

std::vector<KernelSet> AllUnderTest() {
  std::vector<KernelSet> sets = SimdKernels();
  sets.push_back(Dispatched());
  return sets;
}

constexpr size_t kDims[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 784, 1536};
constexpr double kRelTol = 1e-4;

std::vector<float> RandomVector(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Error bound for a sum of terms: relative to the sum of their magnitudes, since a dot product
// of random signs may cancel to nearly zero while each term's rounding error does not.
double Tolerance(double magnitude_sum) { return kRelTol * std::max(1.0, magnitude_sum); }

double AbsDot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += std::fabs(double{a[i]} * b[i]);
  return s;
}

TEST(DistanceTest, MatchesScalarOnRandomData) {
  std::mt19937 rng(20240601);
  for (const KernelSet& k : AllUnderTest()) {
    for (size_t n : kDims) {
      // Offsets 0..3 floats off a vector's start give unaligned pointers for the SIMD loads.
      for (size_t offset : {0, 1, 3}) {
        SCOPED_TRACE(std::string(k.name) + " n=" + std::to_string(n) +
                     " offset=" + std::to_string(offset));
        const std::vector<float> a_buf = RandomVector(rng, n + offset, -1.0f, 1.0f);
        const std::vector<float> b_buf = RandomVector(rng, n + offset, -1.0f, 1.0f);
        const float* a = a_buf.data() + offset;
        const float* b = b_buf.data() + offset;

        EXPECT_NEAR(k.dot(a, b, n), scalar::Dot(a, b, n), Tolerance(AbsDot(a, b, n)));
        const float l2 = scalar::L2Squared(a, b, n);
        EXPECT_NEAR(k.l2_squared(a, b, n), l2, Tolerance(l2));
        const float l1 = scalar::L1(a, b, n);
        EXPECT_NEAR(k.l1(a, b, n), l1, Tolerance(l1));
      }
    }
  }
}

TEST(DistanceTest, MatchesScalarOnLargeMagnitudes) {
  std::mt19937 rng(7);
  for (const KernelSet& k : AllUnderTest()) {
    for (size_t n : kDims) {
      SCOPED_TRACE(std::string(k.name) + " n=" + std::to_string(n));
      const std::vector<float> a = RandomVector(rng, n, -1000.0f, 1000.0f);
      const std::vector<float> b = RandomVector(rng, n, -1000.0f, 1000.0f);
      const float l2 = scalar::L2Squared(a.data(), b.data(), n);
      EXPECT_NEAR(k.l2_squared(a.data(), b.data(), n), l2, kRelTol * l2);
      const float l1 = scalar::L1(a.data(), b.data(), n);
      EXPECT_NEAR(k.l1(a.data(), b.data(), n), l1, kRelTol * l1);
      EXPECT_NEAR(k.dot(a.data(), b.data(), n), scalar::Dot(a.data(), b.data(), n),
                  kRelTol * AbsDot(a.data(), b.data(), n));
    }
  }
}

// Small integers keep every partial sum exact in float, so every version must agree exactly
// whatever its summation order; a lane dropped or counted twice in a tail shows up at once.
TEST(DistanceTest, ExactOnSmallIntegers) {
  std::vector<KernelSet> sets = AllUnderTest();
  sets.push_back({"scalar", scalar::Dot, scalar::L2Squared, scalar::L1});
  for (const KernelSet& k : sets) {
    for (size_t n = 0; n <= 80; ++n) {
      SCOPED_TRACE(std::string(k.name) + " n=" + std::to_string(n));
      std::vector<float> a(n), b(n);
      double dot = 0, l2 = 0, l1 = 0;
      for (size_t i = 0; i < n; ++i) {
        a[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
        b[i] = static_cast<float>(static_cast<int>(i % 5) - 1);
        dot += a[i] * b[i];
        l2 += (a[i] - b[i]) * (a[i] - b[i]);
        l1 += std::fabs(a[i] - b[i]);
      }
      EXPECT_EQ(k.dot(a.data(), b.data(), n), dot);
      EXPECT_EQ(k.l2_squared(a.data(), b.data(), n), l2);
      EXPECT_EQ(k.l1(a.data(), b.data(), n), l1);
    }
  }
}

// The kernels must not read past the last element. Values after the end are poisoned with NaN,
// so any lane read beyond n would turn the result into NaN.
TEST(DistanceTest, IgnoresMemoryPastTheEnd) {
  for (const KernelSet& k : AllUnderTest()) {
    for (size_t n : kDims) {
      SCOPED_TRACE(std::string(k.name) + " n=" + std::to_string(n));
      std::vector<float> a(n + 64, std::nanf("")), b(n + 64, std::nanf(""));
      for (size_t i = 0; i < n; ++i) a[i] = b[i] = 0.5f;
      b[0] = 1.5f;
      EXPECT_EQ(k.dot(a.data(), b.data(), n), 0.25f * (n - 1) + 0.75f);
      EXPECT_EQ(k.l2_squared(a.data(), b.data(), n), 1.0f);
      EXPECT_EQ(k.l1(a.data(), b.data(), n), 1.0f);
    }
  }
}

// A table of rows of n floats, `stride` bytes apart (rows padded as a graph's blocks are).
struct Table {
  size_t stride;
  std::vector<uint8_t> bytes;
  const float* Row(uint32_t id) const {
    return reinterpret_cast<const float*>(bytes.data() + size_t{id} * stride);
  }
};

Table RandomTable(std::mt19937& rng, size_t rows, size_t n) {
  Table t;
  t.stride = (n * sizeof(float) + 64 + 63) / 64 * 64;
  t.bytes.resize(rows * t.stride + 64);
  for (uint32_t id = 0; id < rows; ++id) {
    const std::vector<float> v = RandomVector(rng, n, -1.0f, 1.0f);
    std::copy(v.begin(), v.end(), const_cast<float*>(t.Row(id)));
  }
  return t;
}

// The batch kernels give, row for row, exactly what their one-pair kernel gives (the walk's
// distances become scores, which must not depend on how they were computed).
TEST(DistanceTest, ManyEqualsOnePairBitForBit) {
  using Many = ManyKernel;
  struct Versions {
    const char* name;
    PairKernel dot, l2, l1;
    Many dot_many, l2_many, l1_many;
  };
  std::vector<Versions> versions = {{"scalar", scalar::Dot, scalar::L2Squared, scalar::L1,
                                     scalar::DotMany, scalar::L2SquaredMany, scalar::L1Many}};
  if (CpuHasAvx2()) {
    versions.push_back({"avx2", avx2::Dot, avx2::L2Squared, avx2::L1, avx2::DotMany,
                        avx2::L2SquaredMany, avx2::L1Many});
  }
  if (CpuHasAvx512()) {
    versions.push_back({"avx512", avx512::Dot, avx512::L2Squared, avx512::L1, avx512::DotMany,
                        avx512::L2SquaredMany, avx512::L1Many});
  }
  std::mt19937 rng(99);
  const std::vector<uint32_t> ids = {5, 0, 9, 9, 3, 7, 1};
  for (size_t n : kDims) {
    const Table table = RandomTable(rng, 10, n);
    const std::vector<float> q = RandomVector(rng, n, -1.0f, 1.0f);
    for (const Versions& v : versions) {
      SCOPED_TRACE(std::string(v.name) + " n=" + std::to_string(n));
      std::vector<float> dot(ids.size()), l2(ids.size()), l1(ids.size());
      v.dot_many(q.data(), table.bytes.data(), table.stride, ids.data(), ids.size(), n,
                 dot.data());
      v.l2_many(q.data(), table.bytes.data(), table.stride, ids.data(), ids.size(), n, l2.data());
      v.l1_many(q.data(), table.bytes.data(), table.stride, ids.data(), ids.size(), n, l1.data());
      for (size_t i = 0; i < ids.size(); ++i) {
        EXPECT_EQ(dot[i], v.dot(q.data(), table.Row(ids[i]), n));
        EXPECT_EQ(l2[i], v.l2(q.data(), table.Row(ids[i]), n));
        EXPECT_EQ(l1[i], v.l1(q.data(), table.Row(ids[i]), n));
      }
    }
    // The resolved kernels are the dispatched functions' (the scalar loop below 16 dimensions).
    std::vector<float> out(ids.size());
    L2SquaredManyKernel(n)(q.data(), table.bytes.data(), table.stride, ids.data(), ids.size(), n,
                           out.data());
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(out[i], L2Squared(q.data(), table.Row(ids[i]), n));
      EXPECT_EQ(DotKernel(n)(q.data(), table.Row(ids[i]), n), Dot(q.data(), table.Row(ids[i]), n));
    }
  }
}

TEST(DistanceTest, ZeroLengthIsZero) {
  const float x = 1.0f;
  for (const KernelSet& k : AllUnderTest()) {
    SCOPED_TRACE(k.name);
    EXPECT_EQ(k.dot(&x, &x, 0), 0.0f);
    EXPECT_EQ(k.l2_squared(&x, &x, 0), 0.0f);
    EXPECT_EQ(k.l1(&x, &x, 0), 0.0f);
  }
}

TEST(NormalizeTest, GivesUnitLengthAndKeepsDirection) {
  std::mt19937 rng(42);
  for (size_t n : kDims) {
    SCOPED_TRACE("n=" + std::to_string(n));
    const std::vector<float> original = RandomVector(rng, n, -10.0f, 10.0f);
    std::vector<float> v = original;
    Normalize(v.data(), n);
    EXPECT_NEAR(scalar::Dot(v.data(), v.data(), n), 1.0f, 1e-4);
    const double norm = std::sqrt(AbsDot(original.data(), original.data(), n));
    for (size_t i = 0; i < n; ++i) EXPECT_NEAR(v[i], original[i] / norm, 1e-5);
  }
}

TEST(NormalizeTest, LeavesZeroVectorAlone) {
  for (size_t n : kDims) {
    SCOPED_TRACE("n=" + std::to_string(n));
    std::vector<float> v(n, 0.0f);
    Normalize(v.data(), n);
    for (float x : v) {
      EXPECT_EQ(x, 0.0f);
      EXPECT_FALSE(std::signbit(x));
    }
  }
  Normalize(nullptr, 0);  // empty vector: nothing to do, nothing to touch
}

TEST(KernelNameTest, NamesTheBestSupportedVersion) {
  const std::string name = KernelName();
  if (CpuHasAvx512()) {
    EXPECT_EQ(name, "avx512");
  } else if (CpuHasAvx2()) {
    EXPECT_EQ(name, "avx2");
  } else {
    EXPECT_EQ(name, "scalar");
  }
  EXPECT_STREQ(KernelName(), KernelName());  // chosen once; stable afterwards
}

}  // namespace
}  // namespace quiver::vec
