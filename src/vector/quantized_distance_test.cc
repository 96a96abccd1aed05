// The quantized kernels (int8 dot, uint8 L1, Hamming): every version the CPU supports against the
// scalar reference over awkward dimensions, extreme values, unaligned starts and poisoned memory
// past the end. The results are exact integers, so every comparison is exact.

#include "vector/quantized_distance.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "vector/quantized_distance_impl.h"

namespace quiver::vec {
namespace {

struct QuantizedSet {
  const char* name;
  int32_t (*dot_u8i8)(const uint8_t*, const int8_t*, size_t);
  uint32_t (*l1_u8)(const uint8_t*, const uint8_t*, size_t);
  uint64_t (*hamming)(const uint64_t*, const uint64_t*, size_t);
};

// The SIMD versions this CPU can run, plus the dispatched entry points.
std::vector<QuantizedSet> UnderTest() {
  std::vector<QuantizedSet> sets;
  if (CpuHasQuantizedAvx2()) sets.push_back({"avx2", avx2::DotU8I8, avx2::L1U8, avx2::Hamming});
  if (CpuHasQuantizedAvx512()) {
    sets.push_back({"avx512", avx512::DotU8I8, avx512::L1U8, avx512::Hamming});
  }
  sets.push_back({"dispatched", DotU8I8, L1U8, Hamming});
  const QuantizedKernels& active = ActiveQuantizedKernels();
  sets.push_back({"active", active.dot_u8i8, active.l1_u8, active.hamming});
  return sets;
}

constexpr size_t kDims[] = {0, 1, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129, 255, 784, 1536};

// Independent references in 64-bit arithmetic.
int64_t RefDot(const uint8_t* a, const int8_t* b, size_t n) {
  int64_t s = 0;
  for (size_t i = 0; i < n; ++i) s += int64_t{a[i]} * b[i];
  return s;
}
int64_t RefL1(const uint8_t* a, const uint8_t* b, size_t n) {
  int64_t s = 0;
  for (size_t i = 0; i < n; ++i) s += a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
  return s;
}

TEST(QuantizedDistanceTest, ScalarReferenceIsRight) {
  const uint8_t a[] = {0, 1, 255, 128, 7};
  const int8_t b[] = {5, -1, -128, 127, 0};
  EXPECT_EQ(scalar::DotU8I8(a, b, 5), 0 - 1 - 255 * 128 + 128 * 127);
  const uint8_t c[] = {255, 0, 10, 128, 7};
  EXPECT_EQ(scalar::L1U8(a, c, 5), 255u + 1u + 245u + 0u + 0u);
  const uint64_t x[] = {0xFFu, ~uint64_t{0}}, y[] = {0x0Fu, 0};
  EXPECT_EQ(scalar::Hamming(x, y, 2), 4u + 64u);
}

TEST(QuantizedDistanceTest, MatchesScalarOnRandomData) {
  std::mt19937 rng(20240607);
  std::uniform_int_distribution<int> byte(0, 255);
  for (const QuantizedSet& k : UnderTest()) {
    for (size_t n : kDims) {
      for (size_t offset : {0, 1, 5}) {
        SCOPED_TRACE(std::string(k.name) + " n=" + std::to_string(n) +
                     " offset=" + std::to_string(offset));
        std::vector<uint8_t> a(n + offset), c(n + offset);
        std::vector<int8_t> b(n + offset);
        for (size_t i = 0; i < n + offset; ++i) {
          a[i] = static_cast<uint8_t>(byte(rng));
          b[i] = static_cast<int8_t>(byte(rng) - 128);
          c[i] = static_cast<uint8_t>(byte(rng));
        }
        EXPECT_EQ(k.dot_u8i8(a.data() + offset, b.data() + offset, n),
                  scalar::DotU8I8(a.data() + offset, b.data() + offset, n));
        EXPECT_EQ(k.dot_u8i8(a.data() + offset, b.data() + offset, n),
                  RefDot(a.data() + offset, b.data() + offset, n));
        EXPECT_EQ(k.l1_u8(a.data() + offset, c.data() + offset, n),
                  scalar::L1U8(a.data() + offset, c.data() + offset, n));
        EXPECT_EQ(int64_t{k.l1_u8(a.data() + offset, c.data() + offset, n)},
                  RefL1(a.data() + offset, c.data() + offset, n));

        const size_t words = (n + 63) / 64;
        std::vector<uint64_t> x(words + offset), y(words + offset);
        for (size_t i = 0; i < words + offset; ++i) {
          x[i] = (uint64_t{rng()} << 32) ^ rng();
          y[i] = (uint64_t{rng()} << 32) ^ rng();
        }
        EXPECT_EQ(k.hamming(x.data() + offset, y.data() + offset, words),
                  scalar::Hamming(x.data() + offset, y.data() + offset, words));
      }
    }
  }
}

// The batch kernel gives, row for row, the 64-bit reference's dot product (rows unaligned,
// out of order, repeated).
TEST(QuantizedDistanceTest, DotManyEqualsDotPerRow) {
  using Many = decltype(QuantizedKernels::dot_u8i8_many);
  std::vector<std::pair<const char*, Many>> versions = {
      {"scalar", scalar::DotU8I8Many}, {"active", ActiveQuantizedKernels().dot_u8i8_many}};
  if (CpuHasQuantizedAvx2()) versions.emplace_back("avx2", avx2::DotU8I8Many);
  if (CpuHasQuantizedAvx512()) versions.emplace_back("avx512", avx512::DotU8I8Many);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::vector<uint32_t> ids = {3, 0, 6, 6, 1};
  for (size_t n : kDims) {
    const size_t stride = n + 17;  // rows need not be aligned
    std::vector<uint8_t> table(7 * stride);
    for (uint8_t& x : table) x = static_cast<uint8_t>(byte(rng));
    std::vector<int8_t> q(n);
    for (int8_t& x : q) x = static_cast<int8_t>(byte(rng) - 128);
    for (const auto& [name, many] : versions) {
      SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n));
      std::vector<int32_t> out(ids.size());
      many(q.data(), table.data(), stride, ids.data(), ids.size(), n, out.data());
      for (size_t i = 0; i < ids.size(); ++i) {
        EXPECT_EQ(out[i], RefDot(table.data() + ids[i] * stride, q.data(), n));
      }
    }
  }
}

// The extremes: the largest products of each sign, summed over the largest supported length
// (65536), must neither saturate (vpmaddubsw would) nor overflow.
TEST(QuantizedDistanceTest, ExtremesDoNotSaturate) {
  for (const QuantizedSet& k : UnderTest()) {
    for (size_t n : {size_t{1}, size_t{17}, size_t{784}, size_t{65536}}) {
      SCOPED_TRACE(std::string(k.name) + " n=" + std::to_string(n));
      const std::vector<uint8_t> max_u(n, 255), zero_u(n, 0);
      const std::vector<int8_t> min_s(n, -128), max_s(n, 127);
      EXPECT_EQ(k.dot_u8i8(max_u.data(), min_s.data(), n), -255 * 128 * static_cast<int64_t>(n));
      EXPECT_EQ(k.dot_u8i8(max_u.data(), max_s.data(), n), 255 * 127 * static_cast<int64_t>(n));
      EXPECT_EQ(k.l1_u8(max_u.data(), zero_u.data(), n), 255u * n);
      EXPECT_EQ(k.l1_u8(zero_u.data(), max_u.data(), n), 255u * n);
      const size_t words = (n + 63) / 64;
      const std::vector<uint64_t> ones(words, ~uint64_t{0}), zeros(words, 0);
      EXPECT_EQ(k.hamming(ones.data(), zeros.data(), words), 64u * words);
    }
  }
}

// Bytes past the end hold values that would change every result if a kernel read them.
TEST(QuantizedDistanceTest, IgnoresMemoryPastTheEnd) {
  for (const QuantizedSet& k : UnderTest()) {
    for (size_t n : kDims) {
      SCOPED_TRACE(std::string(k.name) + " n=" + std::to_string(n));
      std::vector<uint8_t> a(n + 128, 255), c(n + 128, 0);
      std::vector<int8_t> b(n + 128, 127);
      for (size_t i = 0; i < n; ++i) {
        a[i] = 2;
        b[i] = -3;
        c[i] = 5;
      }
      EXPECT_EQ(k.dot_u8i8(a.data(), b.data(), n), -6 * static_cast<int32_t>(n));
      EXPECT_EQ(k.l1_u8(a.data(), c.data(), n), 3u * n);
      const size_t words = (n + 63) / 64;
      std::vector<uint64_t> x(words + 8, ~uint64_t{0}), y(words + 8, 0);
      for (size_t i = 0; i < words; ++i) x[i] = 0x5;  // two bits per word
      EXPECT_EQ(k.hamming(x.data(), y.data(), words), 2u * words);
    }
  }
}

TEST(QuantizedDistanceTest, NamesTheBestSupportedVersion) {
  const std::string name = ActiveQuantizedKernels().name;
  if (CpuHasQuantizedAvx512()) {
    EXPECT_EQ(name, "avx512");
  } else if (CpuHasQuantizedAvx2()) {
    EXPECT_EQ(name, "avx2");
  } else {
    EXPECT_EQ(name, "scalar");
  }
  EXPECT_EQ(&ActiveQuantizedKernels(), &ActiveQuantizedKernels());  // chosen once
}

}  // namespace
}  // namespace quiver::vec
