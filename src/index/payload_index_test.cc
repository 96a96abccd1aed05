// Unit tests of the keyword, numeric, bool and geo payload indexes.
#include "index/payload_index.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "index/payload_index_ordered.h"

namespace quiver::index {
namespace {

std::vector<uint32_t> Slots(const Bitmap& b) {
  std::vector<uint32_t> out(b.cardinality());
  b.toUint32Array(out.data());
  return out;
}

FieldValues Strings(std::vector<std::string> s, bool other = false) {
  FieldValues v;
  v.strings = std::move(s);
  v.other = other;
  return v;
}

FieldValues Ints(std::vector<int64_t> i) {
  FieldValues v;
  v.ints = std::move(i);
  return v;
}

FieldValues Floats(std::vector<double> f) {
  FieldValues v;
  v.floats = std::move(f);
  return v;
}

TEST(KeywordIndex, FindsSlotsPerValueAndFollowsUpdates) {
  KeywordIndex idx(FieldType::kKeyword);
  idx.Set(0, Strings({"red"}));
  idx.Set(1, Strings({"red", "blue", "red"}));
  idx.Set(2, Strings({}, /*other=*/true));
  EXPECT_EQ(Slots(idx.Find("red")), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(Slots(idx.Find("blue")), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(idx.Find("green").isEmpty());
  EXPECT_EQ(Slots(idx.FindAny({"blue", "green", "red"})), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(idx.points_count(), 2u);
  EXPECT_EQ(Slots(idx.unindexed()), (std::vector<uint32_t>{2}));

  idx.Set(1, Strings({"green"}));  // replaces every value of slot 1
  EXPECT_EQ(Slots(idx.Find("red")), (std::vector<uint32_t>{0}));
  EXPECT_TRUE(idx.Find("blue").isEmpty());
  EXPECT_EQ(idx.distinct_values(), 2u);  // a value without slots is gone
  idx.Remove(0);
  idx.Remove(2);
  idx.Remove(7);  // never indexed: no-op
  EXPECT_EQ(idx.points_count(), 1u);
  EXPECT_TRUE(idx.unindexed().isEmpty());
  std::vector<std::pair<std::string, uint64_t>> facets;
  idx.ForEachValue([&](const std::string& v, const Bitmap& b) {
    facets.emplace_back(v, b.cardinality());
  });
  EXPECT_EQ(facets, (std::vector<std::pair<std::string, uint64_t>>{{"green", 1}}));
}

TEST(BoolIndex, SlotCanHoldBoth) {
  BoolIndex idx;
  FieldValues both;
  both.bools = {true, false};
  FieldValues t;
  t.bools = {true};
  idx.Set(3, both);
  idx.Set(4, t);
  EXPECT_EQ(Slots(idx.Find(true)), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(Slots(idx.Find(false)), (std::vector<uint32_t>{3}));
  idx.Set(3, t);
  EXPECT_TRUE(idx.Find(false).isEmpty());
  EXPECT_EQ(idx.points_count(), 2u);
}

TEST(NumericIndex, IntegerLookupAndRangesOnTheDoubleScale) {
  IntegerIndex idx(FieldType::kInteger);
  idx.Set(0, Ints({1}));
  idx.Set(1, Ints({2, 5}));
  idx.Set(2, Ints({-3}));
  idx.Set(3, Ints({5}));
  EXPECT_EQ(Slots(idx.Find(5)), (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(Slots(idx.FindAny({1, -3})), (std::vector<uint32_t>{0, 2}));
  double lo = 1.5, hi = 5.0;
  Bounds<double> b;
  b.gte = &lo;
  EXPECT_EQ(Slots(idx.Range(b)), (std::vector<uint32_t>{1, 3}));
  b.lt = &hi;
  EXPECT_EQ(Slots(idx.Range(b)), (std::vector<uint32_t>{1}));
  Bounds<double> gt;
  double one = 1;
  gt.gt = &one;
  EXPECT_EQ(Slots(idx.Range(gt)), (std::vector<uint32_t>{1, 3}));
  Bounds<double> lte;
  lte.lte = &one;
  EXPECT_EQ(Slots(idx.Range(lte)), (std::vector<uint32_t>{0, 2}));
  Bounds<double> none;
  EXPECT_EQ(Slots(idx.Range(none)), (std::vector<uint32_t>{0, 1, 2, 3}));
  // gt and gte together: the stricter one wins.
  double two = 2;
  Bounds<double> both;
  both.gte = &one;
  both.gt = &two;
  EXPECT_EQ(Slots(idx.Range(both)), (std::vector<uint32_t>{1, 3}));
}

TEST(NumericIndex, OrderedIterationAndCounts) {
  FloatIndex idx(FieldType::kFloat);
  idx.Set(0, Floats({2.5}));
  idx.Set(1, Floats({-1, 7}));
  idx.Set(2, Floats({2.5}));
  std::vector<std::pair<double, uint32_t>> asc, desc;
  idx.ForEachOrdered(false, [&](double k, uint32_t s) {
    asc.emplace_back(k, s);
    return true;
  });
  idx.ForEachOrdered(true, [&](double k, uint32_t s) {
    desc.emplace_back(k, s);
    return desc.size() < 2;  // stops early
  });
  EXPECT_EQ(asc, (std::vector<std::pair<double, uint32_t>>{{-1, 1}, {2.5, 0}, {2.5, 2}, {7, 1}}));
  EXPECT_EQ(desc, (std::vector<std::pair<double, uint32_t>>{{7, 1}, {2.5, 2}}));
  std::vector<std::pair<double, uint64_t>> counts;
  idx.ForEachValueCount([&](double k, uint64_t n) { counts.emplace_back(k, n); });
  EXPECT_EQ(counts, (std::vector<std::pair<double, uint64_t>>{{-1, 1}, {2.5, 2}, {7, 1}}));
}

TEST(NumericIndex, DatetimeRanges) {
  DatetimeIndex idx(FieldType::kDatetime);
  FieldValues a, b;
  a.datetimes = {{100, 0}};
  b.datetimes = {{100, 500}, {200, 0}};
  idx.Set(0, a);
  idx.Set(1, b);
  DatetimeKey from{100, 1};
  Bounds<DatetimeKey> r;
  r.gte = &from;
  EXPECT_EQ(Slots(idx.Range(r)), (std::vector<uint32_t>{1}));
  DatetimeKey to{100, 0};
  Bounds<DatetimeKey> r2;
  r2.lte = &to;
  EXPECT_EQ(Slots(idx.Range(r2)), (std::vector<uint32_t>{0}));
}

// Random ranges against a brute-force check over random values, bounds on and off grid.
TEST(NumericIndex, RandomRangesMatchBruteForce) {
  std::mt19937_64 rng(7);
  IntegerIndex idx(FieldType::kInteger);
  std::vector<std::vector<int64_t>> values(300);
  for (uint32_t s = 0; s < values.size(); ++s) {
    size_t n = rng() % 3;
    for (size_t i = 0; i < n; ++i) values[s].push_back(static_cast<int64_t>(rng() % 41) - 20);
    idx.Set(s, Ints(values[s]));
  }
  for (int round = 0; round < 500; ++round) {
    double bound[4];
    bool on[4];
    for (int i = 0; i < 4; ++i) {
      bound[i] = static_cast<double>(static_cast<int64_t>(rng() % 50) - 25) / 2.0;
      on[i] = rng() % 2;
    }
    Bounds<double> b;
    if (on[0]) b.gt = &bound[0];
    if (on[1]) b.gte = &bound[1];
    if (on[2]) b.lt = &bound[2];
    if (on[3]) b.lte = &bound[3];
    std::vector<uint32_t> expected;
    for (uint32_t s = 0; s < values.size(); ++s) {
      for (int64_t v : values[s]) {
        double x = static_cast<double>(v);
        if ((!on[0] || x > bound[0]) && (!on[1] || x >= bound[1]) && (!on[2] || x < bound[2]) &&
            (!on[3] || x <= bound[3])) {
          expected.push_back(s);
          break;
        }
      }
    }
    ASSERT_EQ(Slots(idx.Range(b)), expected) << "round " << round;
  }
}

TEST(GeoIndex, TestsOnlyTheLatitudeBand) {
  GeoIndex idx;
  FieldValues a, b, c;
  a.geos = {{13.4, 52.5}};             // Berlin
  b.geos = {{2.35, 48.85}, {-74, 40.7}};  // Paris, New York
  c.geos = {{151.2, -33.9}};           // Sydney
  idx.Set(0, a);
  idx.Set(1, b);
  idx.Set(2, c);
  int calls = 0;
  Bitmap north = idx.Within(45, 60, [&](const GeoKey& p) {
    ++calls;
    return p.lon > 0;
  });
  EXPECT_EQ(Slots(north), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(calls, 2);  // New York (40.7) and Sydney are outside the band
  idx.Remove(1);
  EXPECT_EQ(Slots(idx.Within(-90, 90, [](const GeoKey&) { return true; })),
            (std::vector<uint32_t>{0, 2}));
}

}  // namespace
}  // namespace quiver::index
