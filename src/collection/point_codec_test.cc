#include "collection/point_codec.h"

#include "common/testing/json_literal.h"

#include <gtest/gtest.h>

#include <random>

namespace quiver {
namespace {

using test_support::J;

// Vector values compare by content (the structs have no operator==).
bool SameVector(const VectorValue& a, const VectorValue& b) {
  if (a.index() != b.index()) return false;
  if (const auto* d = std::get_if<DenseVector>(&a)) return *d == std::get<DenseVector>(b);
  if (const auto* s = std::get_if<SparseVector>(&a)) {
    const auto& t = std::get<SparseVector>(b);
    return s->indices == t.indices && s->values == t.values;
  }
  const auto& m = std::get<MultiVector>(a);
  const auto& n = std::get<MultiVector>(b);
  return m.dim == n.dim && m.data == n.data;
}

void ExpectSamePoint(const StoredPoint& a, const StoredPoint& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.payload, b.payload);
  EXPECT_EQ(a.payload.Dump(), b.payload.Dump());  // member order too
  ASSERT_EQ(a.vectors.size(), b.vectors.size());
  for (size_t i = 0; i < a.vectors.size(); ++i) {
    EXPECT_EQ(a.vectors[i].first, b.vectors[i].first);
    EXPECT_TRUE(SameVector(a.vectors[i].second, b.vectors[i].second)) << a.vectors[i].first;
  }
}

StoredPoint FullPoint() {
  StoredPoint p;
  p.version = 0x0102030405060708ULL;
  p.payload = J(R"({"z":"last","a":[1,2.5,"x",null,true],"nested":{"k":{"deep":-3}},)"
                R"("big":18446744073709551615,"unicode":"h\u00e9llo"})");
  p.vectors.emplace_back("", VectorValue(DenseVector{0.1f, -2.5f, 3.0f, 1e-30f}));
  p.vectors.emplace_back("sparse", VectorValue(SparseVector{{1, 5, 4000000000u}, {0.5f, -1.f, 2.f}}));
  MultiVector m;
  m.dim = 2;
  m.data = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f};
  p.vectors.emplace_back("multi", VectorValue(m));
  p.vectors.emplace_back("named dense", VectorValue(DenseVector{7.f}));
  return p;
}

TEST(PointCodecTest, RoundTripOfEveryVectorKindAndPayload) {
  StoredPoint p = FullPoint();
  std::string bytes = EncodePoint(p);
  StatusOr<StoredPoint> back = DecodePoint(bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ExpectSamePoint(p, *back);
  // Encoding is deterministic.
  EXPECT_EQ(EncodePoint(*back), bytes);
}

TEST(PointCodecTest, RoundTripOfMinimalPoints) {
  StoredPoint empty;
  empty.payload = Json::MakeObject();
  StatusOr<StoredPoint> back = DecodePoint(EncodePoint(empty));
  ASSERT_TRUE(back.ok());
  ExpectSamePoint(empty, *back);
  EXPECT_TRUE(back->payload.is_object());

  StoredPoint empty_vectors;
  empty_vectors.payload = Json::MakeObject();
  empty_vectors.vectors.emplace_back("d", VectorValue(DenseVector{}));
  empty_vectors.vectors.emplace_back("s", VectorValue(SparseVector{}));
  empty_vectors.vectors.emplace_back("m", VectorValue(MultiVector{3, {}}));
  back = DecodePoint(EncodePoint(empty_vectors));
  ASSERT_TRUE(back.ok());
  ExpectSamePoint(empty_vectors, *back);
}

TEST(PointCodecTest, LargeDenseVectorRoundTrips) {
  StoredPoint p;
  p.payload = Json::MakeObject();
  DenseVector v(4096);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.25f - 100.f;
  p.vectors.emplace_back("", VectorValue(v));
  StatusOr<StoredPoint> back = DecodePoint(EncodePoint(p));
  ASSERT_TRUE(back.ok());
  ExpectSamePoint(p, *back);
}

TEST(PointCodecTest, EveryTruncationIsAnError) {
  std::string bytes = EncodePoint(FullPoint());
  for (size_t n = 0; n < bytes.size(); ++n) {
    StatusOr<StoredPoint> r = DecodePoint(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(r.ok()) << "truncated to " << n << " of " << bytes.size() << " decoded";
  }
}

TEST(PointCodecTest, TrailingBytesAreAnError) {
  std::string bytes = EncodePoint(FullPoint());
  EXPECT_FALSE(DecodePoint(bytes + '\0').ok());
  EXPECT_FALSE(DecodePoint(bytes + "garbage").ok());
}

TEST(PointCodecTest, UnknownFormatVersionIsAnError) {
  std::string bytes = EncodePoint(FullPoint());
  for (int v : {0, 2, 0x7f, 0xff}) {
    std::string changed = bytes;
    changed[0] = static_cast<char>(v);
    EXPECT_FALSE(DecodePoint(changed).ok()) << v;
  }
}

TEST(PointCodecTest, HugeLengthsAreAnErrorNotAnAllocation) {
  StoredPoint p;
  p.payload = Json::MakeObject();
  p.vectors.emplace_back("v", VectorValue(DenseVector{1.f, 2.f}));
  std::string bytes = EncodePoint(p);
  // Layout: version byte, u64 op id, u32 payload length, payload "{}", u16 count, u16 name length,
  // name "v", u8 kind, u32 element count, floats.
  const size_t payload_len_at = 1 + 8;
  const size_t count_at = payload_len_at + 4 + 2;
  const size_t elements_at = count_at + 2 + 2 + 1 + 1;
  ASSERT_EQ(bytes.size(), elements_at + 4 + 2 * sizeof(float));

  std::string big_payload = bytes;
  big_payload.replace(payload_len_at, 4, std::string(4, '\xff'));
  EXPECT_FALSE(DecodePoint(big_payload).ok());

  std::string big_count = bytes;
  big_count.replace(count_at, 2, std::string(2, '\xff'));
  EXPECT_FALSE(DecodePoint(big_count).ok());

  std::string big_elements = bytes;
  big_elements.replace(elements_at, 4, std::string(4, '\xff'));
  EXPECT_FALSE(DecodePoint(big_elements).ok());

  std::string bad_kind = bytes;
  bad_kind[elements_at - 1] = '\x07';
  EXPECT_FALSE(DecodePoint(bad_kind).ok());

  std::string bad_payload = bytes;
  bad_payload[payload_len_at + 4] = '[';  // "[}" is not JSON
  EXPECT_FALSE(DecodePoint(bad_payload).ok());
}

// Any single corrupted byte either decodes to something or is an error; never a crash (run under
// the sanitizer build to catch out-of-bounds reads).
TEST(PointCodecTest, CorruptedBytesNeverCrash) {
  const std::string bytes = EncodePoint(FullPoint());
  size_t errors = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int replacement : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string changed = bytes;
      changed[i] = static_cast<char>(replacement);
      StatusOr<StoredPoint> r = DecodePoint(changed);
      if (!r.ok()) ++errors;
    }
  }
  EXPECT_GT(errors, 0u);

  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> pos(0, bytes.size() - 1);
  for (int round = 0; round < 2000; ++round) {
    std::string changed = bytes;
    for (int k = 0; k < 4; ++k) changed[pos(rng)] = static_cast<char>(byte(rng));
    changed.resize(std::uniform_int_distribution<size_t>(0, changed.size())(rng));
    (void)DecodePoint(changed);
  }
}

}  // namespace
}  // namespace quiver
