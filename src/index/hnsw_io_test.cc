// HnswIndex::Save / Load: round trips give identical answers; damaged, truncated, foreign and
// out-of-range files are refused with a Status, never a crash.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "index/hnsw.h"
#include "index/hnsw_crc32c.h"
#include "index/hnsw_test_util.h"

namespace quiver::index {
namespace {

namespace fs = std::filesystem;

class HnswIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // tmpfs when there is one: the corruption tests rewrite a file thousands of times, which
    // costs milliseconds each on a journaling disk.
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm")
                                                            : fs::temp_directory_path();
    dir_ = base /
           ("hnsw_io_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::vector<uint8_t>& bytes, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
}

void ExpectSameAnswers(const HnswIndex& a, const HnswIndex& b, const std::vector<float>& queries,
                       size_t dim) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.dim(), b.dim());
  ASSERT_EQ(a.metric(), b.metric());
  SearchParams p;
  p.k = 10;
  p.ef = 48;
  for (size_t q = 0; q < queries.size() / dim; ++q) {
    const auto ra = a.Search(&queries[q * dim], p);
    const auto rb = b.Search(&queries[q * dim], p);
    ASSERT_EQ(ra.size(), rb.size());
    for (size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].id, rb[i].id);
      EXPECT_EQ(ra[i].distance, rb[i].distance);
    }
  }
}

TEST_F(HnswIoTest, RoundTripGivesIdenticalResults) {
  constexpr size_t kN = 1500, kDim = 24;
  const auto data = testing::ClusteredData(kN, kDim, 10, 5);
  const auto queries = testing::ClusteredData(50, kDim, 10, 6);
  for (Quantization qz : {Quantization::kNone, Quantization::kInt8, Quantization::kBinary}) {
    for (Metric metric : {Metric::kL2, Metric::kDot, Metric::kManhattan}) {
      SCOPED_TRACE(static_cast<int>(qz) * 10 + static_cast<int>(metric));
      HnswParams params;
      params.quantization = qz;
      params.m = 8;
      const auto index = HnswIndex::Build(data.data(), kN, kDim, metric, params);
      for (uint32_t id = 0; id < kN; id += 7) index->MarkDeleted(id);
      index->AddPayloadLinks({1, 5, 9, 300, 301, 302, 1000, 1499}, 4);
      const std::string path = Path("index.hnsw");
      ASSERT_TRUE(index->Save(path).ok());
      EXPECT_FALSE(fs::exists(path + ".tmp"));
      auto loaded = HnswIndex::Load(path);
      ASSERT_TRUE(loaded.ok()) << loaded.status().message();
      ExpectSameAnswers(*index, **loaded, queries, kDim);
      // Vector capacities may differ a little (payload lists grew by push_back before).
      EXPECT_NEAR(static_cast<double>((*loaded)->MemoryBytes()),
                  static_cast<double>(index->MemoryBytes()), 0.05 * index->MemoryBytes());
      // Saving the loaded index gives the same bytes.
      ASSERT_TRUE((*loaded)->Save(Path("again.hnsw")).ok());
      EXPECT_EQ(ReadAll(path), ReadAll(Path("again.hnsw")));
    }
  }
}

TEST_F(HnswIoTest, EmptyIndexRoundTrips) {
  const std::vector<float> none;
  const auto index = HnswIndex::Build(none.data(), 0, 3, Metric::kL2, HnswParams{});
  ASSERT_TRUE(index->Save(Path("empty.hnsw")).ok());
  auto loaded = HnswIndex::Load(Path("empty.hnsw"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->size(), 0u);
  const float q[3] = {1, 2, 3};
  EXPECT_TRUE((*loaded)->Search(q, SearchParams{}).empty());
}

class SmallFile : public HnswIoTest {
 protected:
  void SetUp() override {
    HnswIoTest::SetUp();
    data_ = testing::ClusteredData(60, 6, 3, 9);
    HnswParams params;
    params.m = 4;
    params.quantization = Quantization::kInt8;
    index_ = HnswIndex::Build(data_.data(), 60, 6, Metric::kL2, params);
    index_->AddPayloadLinks({1, 2, 3, 4, 5, 6, 7}, 2);
    ASSERT_TRUE(index_->Save(Path("good.hnsw")).ok());
    bytes_ = ReadAll(Path("good.hnsw"));
    ASSERT_GT(bytes_.size(), 96u);
  }
  Status LoadBytes(const std::vector<uint8_t>& bytes, size_t size) {
    WriteAll(Path("bad.hnsw"), bytes, size);
    auto loaded = HnswIndex::Load(Path("bad.hnsw"));
    return loaded.ok() ? Status::Ok() : loaded.status();
  }
  // Rewrites the header checksum, so that only the field under test is wrong.
  static void FixHeaderCrc(std::vector<uint8_t>& bytes) {
    const uint32_t crc = internal::Crc32c(bytes.data(), 92);
    std::memcpy(bytes.data() + 92, &crc, 4);
  }

  std::vector<float> data_;
  std::unique_ptr<HnswIndex> index_;
  std::vector<uint8_t> bytes_;
};

TEST_F(SmallFile, EveryTruncationIsRefused) {
  for (size_t size = 0; size < bytes_.size(); ++size) {
    const Status s = LoadBytes(bytes_, size);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "size " << size << ": " << s.message();
  }
  std::vector<uint8_t> longer = bytes_;
  longer.push_back(0);
  EXPECT_FALSE(LoadBytes(longer, longer.size()).ok());
}

TEST_F(SmallFile, EveryFlippedByteIsRefused) {
  for (size_t i = 0; i < bytes_.size(); ++i) {
    std::vector<uint8_t> bad = bytes_;
    bad[i] ^= 0x5A;
    const Status s = LoadBytes(bad, bad.size());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "byte " << i;
  }
}

TEST_F(SmallFile, OtherVersionIsRefused) {
  std::vector<uint8_t> bad = bytes_;
  const uint32_t version = 2;
  std::memcpy(bad.data() + 8, &version, 4);
  FixHeaderCrc(bad);
  const Status s = LoadBytes(bad, bad.size());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("version 2"), std::string::npos) << s.message();
}

TEST_F(SmallFile, HugeSizesWithAValidHeaderAreRefusedBeforeAllocating) {
  struct Field {
    size_t offset;
    uint64_t value;
    size_t width;
  };
  const Field fields[] = {
      {48, uint64_t{1} << 40, 8},          // n
      {48, 0xFFFFFFFFull, 8},              // n = kNoLink
      {56, uint64_t{1} << 33, 8},          // dim
      {56, 0, 8},                          // dim 0
      {24, 0x7FFFFFFF, 4},                 // m
      {24, 1, 4},                          // m below 2
      {64, 1000, 4},                       // max level
      {68, 60, 4},                         // entry == n
      {72, uint64_t{1} << 50, 8},          // body size
      {16, 9, 4},                          // metric
      {20, 7, 4},                          // quantization
  };
  for (const Field& f : fields) {
    std::vector<uint8_t> bad = bytes_;
    std::memcpy(bad.data() + f.offset, &f.value, f.width);
    FixHeaderCrc(bad);
    const Status s = LoadBytes(bad, bad.size());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "offset " << f.offset;
  }
}

TEST_F(SmallFile, BadLinkWithAValidChecksumIsRefused) {
  // The first layer-0 slot of node 0 (after the header and the 60 level bytes) points past n;
  // the body checksum is recomputed, so only the link check can catch it.
  std::vector<uint8_t> bad = bytes_;
  const uint32_t link = 60;
  std::memcpy(bad.data() + 96 + 60, &link, 4);
  const uint32_t crc = internal::Crc32c(bad.data() + 96, bad.size() - 96);
  std::memcpy(bad.data() + 80, &crc, 4);
  FixHeaderCrc(bad);
  const Status s = LoadBytes(bad, bad.size());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("link"), std::string::npos) << s.message();
}

TEST_F(HnswIoTest, MissingFileAndUnwritablePath) {
  auto missing = HnswIndex::Load(Path("nope.hnsw"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  const std::vector<float> data = {1, 2, 3, 4};
  const auto index = HnswIndex::Build(data.data(), 2, 2, Metric::kL2, HnswParams{});
  const Status s = index->Save(Path("no/such/dir/x.hnsw"));
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  auto not_index = HnswIndex::Load(dir_.string());  // a directory
  EXPECT_FALSE(not_index.ok());
}

TEST(Crc32cTest, KnownValues) {
  // RFC 3720 test vectors.
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF), ascending(32);
  for (size_t i = 0; i < 32; ++i) ascending[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(internal::Crc32c(zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(internal::Crc32c(ones.data(), 32), 0x62A8AB43u);
  EXPECT_EQ(internal::Crc32c(ascending.data(), 32), 0x46DD794Eu);
  EXPECT_EQ(internal::Crc32c("123456789", 9), 0xE3069283u);
  // Extending in pieces equals one pass.
  const uint32_t split = internal::Crc32cExtend(internal::Crc32c(ascending.data(), 13),
                                                ascending.data() + 13, 19);
  EXPECT_EQ(split, 0x46DD794Eu);
}

}  // namespace
}  // namespace quiver::index
