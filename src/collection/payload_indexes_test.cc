// Payload indexes inside a collection: random filters give the same results with and without
// indexes (two collections over the same data), through writes, deletes and a reload; estimates
// bound the true count; facet and order_by read the indexes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "collection/collection.h"
#include "common/testing/fresh_test_dir.h"
#include "common/testing/json_literal.h"

namespace quiver {
namespace {

using test_support::J;

// Random payloads and filters over the fields kw (keyword), n (integer), f (float), b (bool), u
// (uuid), dt (datetime), geo, items[] (objects, for nested), each sometimes missing, null, an array
// or of another type, so that the indexes meet values they cannot hold.
class RandomData {
 public:
  explicit RandomData(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) { return rng_() % n; }
  bool Coin(int percent = 50) { return Below(100) < static_cast<size_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

  std::string Keyword() { return "\"" + Pick(kWords) + "\""; }
  std::string Int() { return std::to_string(static_cast<int>(Below(21)) - 10); }
  std::string Half() { return std::to_string((static_cast<int>(Below(41)) - 20) / 2.0); }
  std::string Uuid() { return "\"" + Pick(kUuids) + "\""; }
  std::string Time() { return "\"" + Pick(kTimes) + "\""; }
  std::string ValidTime() {
    std::string t;
    while ((t = Pick(kTimes)) == "not a date") {
    }
    return "\"" + t + "\"";
  }
  std::string Coord() { return std::to_string((static_cast<int>(Below(41)) - 20) / 2.0); }
  std::string Geo() { return R"({"lon": )" + Coord() + R"(, "lat": )" + Coord() + "}"; }

  // One value of the field, usually of its type; arrays hold 0-3 of them.
  std::string Value(const std::function<std::string()>& typed) {
    size_t r = Below(20);
    if (r == 0) return "null";
    if (r == 1) return "\"text\"";
    if (r == 2) return "2.5";
    if (r == 3) return "7";
    if (r < 7) {
      std::string a = "[";
      for (size_t i = 0, n = Below(4); i < n; ++i) a += (i ? ", " : "") + typed();
      return a + "]";
    }
    return typed();
  }

  std::string Payload() {
    std::string p = "{";
    auto field = [&](const char* key, const std::function<std::string()>& typed) {
      if (Coin(15)) return;
      if (p.size() > 1) p += ", ";
      p += std::string("\"") + key + "\": " + Value(typed);
    };
    field("kw", [&] { return Keyword(); });
    field("n", [&] { return Int(); });
    field("f", [&] { return Coin() ? Half() : Int(); });
    field("b", [&] { return Coin() ? "true" : "false"; });
    field("u", [&] { return Uuid(); });
    field("dt", [&] { return Time(); });
    field("geo", [&] { return Geo(); });
    field("items", [&] { return R"({"kw": )" + Keyword() + R"(, "n": )" + Int() + "}"; });
    return p + "}";
  }

  std::string Condition(int depth) {
    switch (Below(depth > 0 ? 17 : 15)) {
      case 0:
        return R"({"key": "kw", "match": {"value": )" + Keyword() + "}}";
      case 1:
        return R"({"key": "kw", "match": {"any": [)" + Keyword() + ", " + Keyword() + "]}}";
      case 2:
        return R"({"key": "n", "match": {"value": )" + Int() + "}}";
      case 3:
        return R"({"key": "n", "match": {"any": [)" + Int() + ", " + Int() + "]}}";
      case 4:
        return R"({"key": "n", "range": )" + Range([&] { return Half(); }) + "}";
      case 5:
        return R"({"key": "f", "range": )" + Range([&] { return Half(); }) + "}";
      case 6:
        return R"({"key": "b", "match": {"value": )" + std::string(Coin() ? "true" : "false") +
               "}}";
      case 7:
        return R"({"key": "u", "match": {"value": )" + Uuid() + "}}";
      case 8:
        return R"({"key": "dt", "range": )" + Range([&] { return ValidTime(); }) + "}";
      case 9: {
        std::string a = Coord(), b = Coord(), c = Coord(), d = Coord();
        return R"({"key": "geo", "geo_bounding_box": {"top_left": {"lon": )" + a + R"(, "lat": )" +
               b + R"(}, "bottom_right": {"lon": )" + c + R"(, "lat": )" + d + "}}}";
      }
      case 10:
        return R"({"key": "geo", "geo_radius": {"center": )" + Geo() + R"(, "radius": )" +
               std::to_string(Below(1000000)) + "}}";
      case 11: {
        std::string x0 = Coord(), y0 = Coord(), x1 = Coord(), y1 = Coord(), x2 = Coord(),
                    y2 = Coord();
        auto pt = [](const std::string& x, const std::string& y) {
          return R"({"lon": )" + x + R"(, "lat": )" + y + "}";
        };
        return R"({"key": "geo", "geo_polygon": {"exterior": {"points": [)" + pt(x0, y0) + ", " +
               pt(x1, y1) + ", " + pt(x2, y2) + ", " + pt(x0, y0) + "]}}}";
      }
      case 12:
        return R"({"key": "kw", "values_count": {"gte": 2}})";
      case 13:
        return Coin() ? R"({"is_empty": {"key": "n"}})" : R"({"is_null": {"key": "kw"}})";
      case 14:
        return R"({"has_id": [)" + std::to_string(Below(kPoints)) + ", " +
               std::to_string(Below(kPoints)) + "]}";
      case 15:
        return R"({"nested": {"key": "items", "filter": )" + Filter(depth - 1) + "}}";
      default:
        return Filter(depth - 1);
    }
  }

  std::string Filter(int depth) {
    std::string f = "{";
    const char* clauses[] = {"must", "should", "must_not"};
    for (const char* clause : clauses) {
      if (Coin(std::string_view(clause) == "must" ? 80 : 35)) {
        if (f.size() > 1) f += ", ";
        f += std::string("\"") + clause + "\": [";
        for (size_t i = 0, n = 1 + Below(3); i < n; ++i) f += (i ? ", " : "") + Condition(depth);
        f += "]";
      }
    }
    if (Coin(10)) {
      if (f.size() > 1) f += ", ";
      f += R"("min_should": {"conditions": [)" + Condition(depth) + ", " + Condition(depth) +
           R"(], "min_count": )" + std::to_string(1 + Below(2)) + "}";
    }
    return f + "}";
  }

  std::vector<float> Vector() {
    std::vector<float> v(4);
    for (float& x : v) x = static_cast<float>(Below(2001)) / 1000.0f - 1.0f;
    return v;
  }

  static constexpr size_t kPoints = 400;

 private:
  std::string Range(const std::function<std::string()>& bound) {
    std::string r = "{";
    for (const char* op : {"gt", "gte", "lt", "lte"}) {
      if (!Coin(35)) continue;
      if (r.size() > 1) r += ", ";
      r += std::string("\"") + op + "\": " + bound();
    }
    if (r.size() == 1) r += "\"gte\": " + bound();
    return r + "}";
  }

  std::mt19937_64 rng_;
  const std::vector<std::string> kWords = {"red", "green", "blue", "Red", "", "a b"};
  const std::vector<std::string> kUuids = {"550e8400-e29b-41d4-a716-446655440000",
                                           "550E8400-E29B-41D4-A716-446655440000",
                                           "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                                           "6ba7b8109dad11d180b400c04fd430c8",
                                           "not-a-uuid",
                                           "00000000-0000-0000-0000-000000000001"};
  const std::vector<std::string> kTimes = {"2024-01-01T00:00:00Z",
                                           "2024-01-01 12:00",
                                           "2024-03-05",
                                           "2023-12-31T23:59:59.5+01:00",
                                           "2024-01-01T00:00:00.000001Z",
                                           "not a date",
                                           "2024-02-29T10:00:00-05:00"};
};

class PayloadIndexesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDir("payload-indexes");
    store_ = std::move(KvStore::Open(dir_.string())).value();
    config_ = *CollectionConfig::FromCreateRequest(
        J(R"({"vectors": {"size": 4, "distance": "Dot"}})"), BuiltinCollectionDefaults());
    indexed_ = Open(1);
    plain_ = Open(2);
  }
  void TearDown() override {
    indexed_.reset();
    plain_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Collection> Open(uint64_t uid) {
    auto c = std::make_unique<Collection>(uid, "c" + std::to_string(uid), config_, store_.get());
    EXPECT_TRUE(c->Load().ok());
    return c;
  }

  void Index(const char* field, const char* type) {
    ASSERT_TRUE(indexed_->CreatePayloadIndex(field, J(type)).ok()) << field;
  }
  void IndexAll() {
    Index("kw", R"({"data_type": "keyword"})");
    Index("n", R"({"data_type": "integer"})");
    Index("f", R"({"data_type": "float"})");
    Index("b", R"({"data_type": "bool"})");
    Index("u", R"({"data_type": "uuid"})");
    Index("dt", R"({"data_type": "datetime"})");
    Index("geo", R"({"data_type": "geo"})");
    Index("items[].kw", R"({"data_type": "keyword"})");
  }

  void ApplyBoth(const std::vector<UpdateOperation>& ops) {
    ASSERT_TRUE(indexed_->Apply(ops, true).ok());
    ASSERT_TRUE(plain_->Apply(ops, true).ok());
  }

  UpdateOperation RandomUpsert(RandomData* r, size_t n) {
    UpdateOperation op;
    op.kind = UpdateOperation::Kind::kUpsert;
    for (size_t i = 0; i < n; ++i) {
      PointStruct p;
      p.id = PointId::Num(r->Below(RandomData::kPoints));
      p.vectors = {{"", VectorValue(DenseVector(r->Vector()))}};
      p.payload = J(r->Payload());
      op.points.push_back(std::move(p));
    }
    return op;
  }

  // Compares count, scroll and a filtered search of both collections for many random filters, and
  // checks that the estimate bounds the true count.
  void CompareRandomFilters(RandomData* r, int rounds) {
    for (int i = 0; i < rounds; ++i) {
      std::string text = r->Filter(2);
      StatusOr<Filter> parsed = ParseFilter(J(text));
      ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
      std::optional<Filter> filter = *parsed;
      size_t count = plain_->Count(filter);
      ASSERT_EQ(indexed_->Count(filter), count) << text;
      CardinalityEstimate est = indexed_->EstimateCardinality(filter);
      ASSERT_LE(est.min, count) << text;
      ASSERT_GE(est.max, count) << text;
      ASSERT_LE(est.min, est.exp) << text;
      ASSERT_LE(est.exp, est.max) << text;
      ASSERT_EQ(ScrollIds(*indexed_, filter), ScrollIds(*plain_, filter)) << text;
      QueryRequest q;
      q.query.kind = QueryPlan::Kind::kNearest;
      q.query.nearest.vector = VectorValue(DenseVector(r->Vector()));
      q.filter = filter;
      q.limit = 7;
      ASSERT_EQ(Scored(*indexed_, q), Scored(*plain_, q)) << text;
    }
  }

  static std::vector<std::string> ScrollIds(const Collection& c, const std::optional<Filter>& f) {
    auto r = c.Scroll(f, 10000, std::nullopt, std::nullopt, PayloadSelector{}, VectorSelector{});
    EXPECT_TRUE(r.ok());
    std::vector<std::string> ids;
    for (const PointOut& p : r->points) ids.push_back(p.id.ToString());
    return ids;
  }
  static std::vector<std::pair<std::string, float>> Scored(const Collection& c,
                                                           const QueryRequest& q) {
    auto r = c.Query(q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::pair<std::string, float>> out;
    for (const PointOut& p : *r) out.emplace_back(p.id.ToString(), *p.score);
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<KvStore> store_;
  CollectionConfig config_;
  std::unique_ptr<Collection> indexed_, plain_;
};

TEST_F(PayloadIndexesTest, RandomFiltersMatchTheScanThroughWritesAndReload) {
  RandomData r(20240601);
  ApplyBoth({RandomUpsert(&r, 300)});
  IndexAll();  // built from the existing points
  CompareRandomFilters(&r, 300);

  // Writes of every kind keep the indexes current.
  for (int round = 0; round < 20; ++round) {
    std::vector<UpdateOperation> ops;
    ops.push_back(RandomUpsert(&r, 10));
    UpdateOperation set;
    set.kind = UpdateOperation::Kind::kSetPayload;
    set.selector.filter = *ParseFilter(J(r.Filter(1)));
    set.payload = J(R"({"kw": "green", "n": 3})");
    ops.push_back(set);
    UpdateOperation del;
    del.kind = UpdateOperation::Kind::kDeletePoints;
    del.selector.filter =
        *ParseFilter(J(R"({"must": [{"key": "n", "match": {"value": )" + r.Int() + "}}]}"));
    ops.push_back(del);
    UpdateOperation del_key;
    del_key.kind = UpdateOperation::Kind::kDeletePayload;
    del_key.selector.ids = {};
    del_key.selector.filter =
        *ParseFilter(J(R"({"must": [{"key": "b", "match": {"value": true}}]})"));
    del_key.keys = {*PayloadPath::Parse("kw")};
    ops.push_back(del_key);
    UpdateOperation clear;
    clear.kind = UpdateOperation::Kind::kClearPayload;
    clear.selector.filter =
        *ParseFilter(J(R"({"must": [{"has_id": [)" + std::to_string(r.Below(400)) + "]}]}"));
    ops.push_back(clear);
    ApplyBoth(ops);
  }
  CompareRandomFilters(&r, 300);

  // A restart rebuilds the indexes from the stored points.
  indexed_ = Open(1);
  plain_ = Open(2);
  Json info = indexed_->Info();
  EXPECT_EQ(info.Find("payload_schema")->size(), 8u);
  CompareRandomFilters(&r, 200);

  // Dropping an index falls back to the scan.
  ASSERT_TRUE(indexed_->DeletePayloadIndex("kw").ok());
  CompareRandomFilters(&r, 50);
}

// Facet and order_by read the indexes; the expected results come from the plain collection's
// payloads.
TEST_F(PayloadIndexesTest, FacetAndOrderByMatchBruteForce) {
  RandomData r(99);
  ApplyBoth({RandomUpsert(&r, 300)});
  IndexAll();
  PayloadPath kw = *PayloadPath::Parse("kw"), n = *PayloadPath::Parse("n");
  for (int i = 0; i < 60; ++i) {
    std::optional<Filter> filter;
    if (i > 0) filter = *ParseFilter(J(r.Filter(1)));
    auto all = plain_->Scroll(filter, 10000, std::nullopt, std::nullopt,
                              PayloadSelector{PayloadSelector::Mode::kAll, {}}, VectorSelector{});
    ASSERT_TRUE(all.ok());
    std::map<std::string, size_t> words;
    std::map<int64_t, size_t> ints;
    std::vector<std::pair<int64_t, PointId>> entries, firsts_asc, firsts_desc;
    for (const PointOut& p : all->points) {
      std::set<std::string> seen_words;
      std::set<int64_t> seen_ints;
      for (const Json* v : ValuesAtPath(*p.payload, kw)) {
        if (v->is_string()) seen_words.insert(v->as_string());
      }
      for (const Json* v : ValuesAtPath(*p.payload, n)) {
        if (v->type() == Json::Type::kInt) seen_ints.insert(v->as_int());
      }
      for (const std::string& w : seen_words) ++words[w];
      for (int64_t v : seen_ints) {
        ++ints[v];
        entries.emplace_back(v, p.id);
      }
      if (!seen_ints.empty()) {
        firsts_asc.emplace_back(*seen_ints.begin(), p.id);
        firsts_desc.emplace_back(*seen_ints.rbegin(), p.id);
      }
    }
    auto facet_of = [](auto counts) {
      std::vector<std::pair<std::string, size_t>> hits;
      for (const auto& [v, c] : counts) hits.emplace_back(Json(v).Dump(), c);
      std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      });
      return hits;
    };
    auto facet = [&](const char* key) {
      auto hits = indexed_->Facet(key, filter, 1000);
      EXPECT_TRUE(hits.ok());
      std::vector<std::pair<std::string, size_t>> out;
      for (const FacetHit& h : *hits) out.emplace_back(h.value.Dump(), h.count);
      return out;
    };
    ASSERT_EQ(facet("kw"), facet_of(words));
    ASSERT_EQ(facet("n"), facet_of(ints));

    // Scroll by n: once per value; ties by id.
    for (bool desc : {false, true}) {
      auto expected = entries;
      std::sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) {
        return a.first != b.first ? (desc ? a.first > b.first : a.first < b.first)
                                  : a.second < b.second;
      });
      if (expected.size() > 10) expected.resize(10);
      OrderBy order{"n", desc, std::nullopt};
      auto got =
          indexed_->Scroll(filter, 10, std::nullopt, order, PayloadSelector{}, VectorSelector{});
      ASSERT_TRUE(got.ok());
      std::vector<std::pair<int64_t, PointId>> seen;
      for (const PointOut& p : got->points) seen.emplace_back(p.order_value->as_int(), p.id);
      ASSERT_EQ(seen, expected) << "desc " << desc;

      // Query by n: once per point, by its smallest (largest when descending) value.
      auto firsts = desc ? firsts_desc : firsts_asc;
      std::sort(firsts.begin(), firsts.end(), [&](const auto& a, const auto& b) {
        return a.first != b.first ? (desc ? a.first > b.first : a.first < b.first)
                                  : a.second < b.second;
      });
      if (firsts.size() > 10) firsts.resize(10);
      QueryRequest q;
      q.query.kind = QueryPlan::Kind::kOrderBy;
      q.query.order_by = order;
      q.filter = filter;
      q.limit = 10;
      auto result = indexed_->Query(q);
      ASSERT_TRUE(result.ok());
      std::vector<std::pair<int64_t, PointId>> queried;
      for (const PointOut& p : *result) queried.emplace_back(static_cast<int64_t>(*p.score), p.id);
      ASSERT_EQ(queried, firsts) << "desc " << desc;
    }
  }
}

TEST_F(PayloadIndexesTest, InfoCountsIndexedPoints) {
  RandomData r(1);
  ApplyBoth({RandomUpsert(&r, 1)});
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kUpsert;
  auto point = [&](uint64_t id, const char* payload) {
    PointStruct p;
    p.id = PointId::Num(id);
    p.vectors = {{"", VectorValue(DenseVector{1, 0, 0, 0})}};
    p.payload = J(payload);
    op.points.push_back(std::move(p));
  };
  point(1000, R"({"x": 1})");
  point(1001, R"({"x": [2, 3]})");
  point(1002, R"({"x": 1.5})");  // not an integer: not indexed
  point(1003, R"({"x": null})");
  ApplyBoth({op});
  Index("x", R"({"data_type": "integer"})");
  EXPECT_EQ(indexed_->Info().Find("payload_schema")->Find("x")->Dump(),
            R"({"data_type":"integer","points":2})");
  // 1.5 is still found by a range: the index adds the slots it could not hold.
  EXPECT_EQ(indexed_->Count(*ParseFilter(J(R"({"must": [{"key": "x", "range": {"gt": 1}}]})"))),
            2u);
}

}  // namespace
}  // namespace quiver
