#include "collection/point_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace quiver {
namespace {

constexpr char kCanonical[] = "550e8400-e29b-41d4-a716-446655440000";

PointId Uuid(std::string_view text) {
  StatusOr<PointId> id = PointId::FromJson(Json(text));
  EXPECT_TRUE(id.ok()) << text << " -> " << id.status().message();
  return id.ok() ? *id : PointId{};
}

TEST(PointIdTest, IntegersFromJson) {
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{42}, uint64_t{1} << 40,
                     uint64_t{9223372036854775807ULL}}) {
    StatusOr<PointId> id = PointId::FromJson(Json(n));
    ASSERT_TRUE(id.ok()) << n;
    EXPECT_FALSE(id->is_uuid);
    EXPECT_EQ(id->num, n);
    EXPECT_EQ(id->ToString(), std::to_string(n));
    EXPECT_EQ(id->ToJson(), Json(n));
    EXPECT_TRUE(id->ToJson().is_integer());
  }
  // Above INT64_MAX the JSON value is kUInt; still a valid u64 id.
  StatusOr<Json> big = Json::Parse("18446744073709551615");
  ASSERT_TRUE(big.ok());
  StatusOr<PointId> id = PointId::FromJson(*big);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->num, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(id->ToJson().Dump(), "18446744073709551615");
}

TEST(PointIdTest, UuidFormsAreCanonicalised) {
  for (const char* form : {
           "550e8400-e29b-41d4-a716-446655440000",
           "550e8400e29b41d4a716446655440000",
           "{550e8400-e29b-41d4-a716-446655440000}",
           "urn:uuid:550e8400-e29b-41d4-a716-446655440000",
           "550E8400-E29B-41D4-A716-446655440000",
           "550E8400E29B41D4A716446655440000",
           "{550E8400-e29b-41D4-A716-446655440000}",
       }) {
    PointId id = Uuid(form);
    EXPECT_TRUE(id.is_uuid) << form;
    EXPECT_EQ(id.ToString(), kCanonical) << form;
    EXPECT_EQ(id.ToJson(), Json(kCanonical)) << form;
  }
  PointId id = Uuid(kCanonical);
  EXPECT_EQ(id.uuid[0], 0x55);
  EXPECT_EQ(id.uuid[15], 0x00);
  EXPECT_EQ(Uuid("00000000-0000-0000-0000-000000000000").ToString(),
            "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(Uuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF").ToString(),
            "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(PointIdTest, BadIdsRejected) {
  for (const char* text : {"-1", "1.5", "1.0", "true", "null", "{}", "[]", "[1]", "\"\"",
                           "\"123\"", "\"not-a-uuid\"", "\"550e8400-e29b-41d4-a716-44665544000\"",
                           "\"550e8400-e29b-41d4-a716-4466554400000\"",
                           "\"550e8400-e29b-41d4-a716-44665544000g\"",
                           "\"550e8400e-29b-41d4-a716-446655440000\"",
                           "\"550e8400-e29b-41d4-a716_446655440000\"",
                           "\"{550e8400-e29b-41d4-a716-446655440000\"",
                           "\"urn:uuid:550e8400e29b41d4a716446655440000x\"",
                           "\" 550e8400-e29b-41d4-a716-446655440000\"",
                           "\"550e8400e29b41d4a71644665544000\""}) {
    StatusOr<Json> j = Json::Parse(text);
    ASSERT_TRUE(j.ok()) << text;
    StatusOr<PointId> id = PointId::FromJson(*j);
    EXPECT_FALSE(id.ok()) << "accepted: " << text;
    if (!id.ok()) {
      EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument) << text;
    }
  }
}

TEST(PointIdTest, FromStringPathSegments) {
  StatusOr<PointId> n = PointId::FromString("42");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, PointId::Num(42));
  StatusOr<PointId> max = PointId::FromString("18446744073709551615");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->num, std::numeric_limits<uint64_t>::max());
  StatusOr<PointId> u = PointId::FromString("550E8400E29B41D4A716446655440000");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->ToString(), kCanonical);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.0", "0x10", "18446744073709551616",
                          "abc", "42abc"}) {
    EXPECT_FALSE(PointId::FromString(bad).ok()) << "accepted: '" << bad << "'";
  }
}

TEST(PointIdTest, EncodeDecodeRoundTrip) {
  std::vector<PointId> ids = {PointId::Num(0), PointId::Num(1), PointId::Num(255),
                              PointId::Num(256), PointId::Num(std::numeric_limits<uint64_t>::max()),
                              Uuid(kCanonical), Uuid("00000000-0000-0000-0000-000000000000"),
                              Uuid("ffffffff-ffff-ffff-ffff-ffffffffffff")};
  for (const PointId& id : ids) {
    std::string bytes = id.Encode();
    EXPECT_EQ(bytes.size(), id.is_uuid ? 17u : 9u);
    StatusOr<PointId> back = PointId::Decode(bytes);
    ASSERT_TRUE(back.ok()) << id.ToString();
    EXPECT_EQ(*back, id);
    EXPECT_EQ(back->ToString(), id.ToString());
  }
  EXPECT_EQ(PointId::Num(0x0102030405060708ULL).Encode(),
            std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08", 9));
}

TEST(PointIdTest, DecodeRejectsBadBytes) {
  std::string num = PointId::Num(7).Encode();
  std::string uuid = Uuid(kCanonical).Encode();
  EXPECT_FALSE(PointId::Decode("").ok());
  for (size_t n = 0; n < num.size(); ++n) EXPECT_FALSE(PointId::Decode(num.substr(0, n)).ok());
  for (size_t n = 0; n < uuid.size(); ++n) EXPECT_FALSE(PointId::Decode(uuid.substr(0, n)).ok());
  EXPECT_FALSE(PointId::Decode(num + "x").ok());
  EXPECT_FALSE(PointId::Decode(uuid + "x").ok());
  std::string wrong_tag = num;
  wrong_tag[0] = '\x02';
  EXPECT_FALSE(PointId::Decode(wrong_tag).ok());
  std::string swapped = num;
  swapped[0] = '\x01';  // a uuid tag on 8 bytes
  EXPECT_FALSE(PointId::Decode(swapped).ok());
}

TEST(PointIdTest, IntegersOrderBeforeUuids) {
  PointId small_uuid = Uuid("00000000-0000-0000-0000-000000000000");
  PointId big_uuid = Uuid("ffffffff-ffff-ffff-ffff-ffffffffffff");
  PointId max_num = PointId::Num(std::numeric_limits<uint64_t>::max());
  EXPECT_LT(PointId::Num(2), PointId::Num(10));
  EXPECT_LT(max_num, small_uuid);
  EXPECT_LT(small_uuid, Uuid(kCanonical));
  EXPECT_LT(Uuid(kCanonical), big_uuid);

  std::vector<PointId> ids = {big_uuid, PointId::Num(10), small_uuid, PointId::Num(2), max_num};
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> names;
  for (const PointId& id : ids) names.push_back(id.ToString());
  EXPECT_THAT(names, testing::ElementsAre("2", "10", "18446744073709551615",
                                          "00000000-0000-0000-0000-000000000000",
                                          "ffffffff-ffff-ffff-ffff-ffffffffffff"));

  // The storage encoding sorts the same way (RocksDB key order).
  std::vector<std::string> keys;
  for (const PointId& id : {big_uuid, PointId::Num(10), small_uuid, PointId::Num(2), max_num}) {
    keys.push_back(id.Encode());
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> decoded;
  for (const std::string& k : keys) decoded.push_back(PointId::Decode(k)->ToString());
  EXPECT_EQ(decoded, names);
}

TEST(PointIdTest, HashAgreesWithEquality) {
  PointIdHash hash;
  EXPECT_EQ(hash(Uuid(kCanonical)), hash(Uuid("550E8400E29B41D4A716446655440000")));
  EXPECT_EQ(hash(PointId::Num(5)), hash(*PointId::FromJson(Json(5))));
  EXPECT_EQ(Uuid(kCanonical), Uuid("urn:uuid:550e8400-e29b-41d4-a716-446655440000"));
  EXPECT_NE(PointId::Num(0), Uuid("00000000-0000-0000-0000-000000000000"));
}

}  // namespace
}  // namespace quiver
