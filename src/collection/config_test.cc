#include "collection/config.h"

#include "common/testing/json_literal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace quiver {
namespace {

using testing::HasSubstr;

using test_support::J;

CollectionConfig Create(std::string_view body) {
  StatusOr<CollectionConfig> c =
      CollectionConfig::FromCreateRequest(J(body), BuiltinCollectionDefaults());
  EXPECT_TRUE(c.ok()) << body << " -> " << c.status().message();
  return c.ok() ? *c : CollectionConfig{};
}

Status CreateError(std::string_view body) {
  StatusOr<CollectionConfig> c =
      CollectionConfig::FromCreateRequest(J(body), BuiltinCollectionDefaults());
  EXPECT_FALSE(c.ok()) << "accepted: " << body;
  return c.ok() ? Status() : c.status();
}

TEST(ConfigTest, UnnamedVector) {
  CollectionConfig c = Create(R"({"vectors": {"size": 4, "distance": "Dot"}})");
  EXPECT_TRUE(c.unnamed_vector);
  ASSERT_EQ(c.vectors.size(), 1u);
  const VectorParams* p = c.FindVector("");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->size, 4u);
  EXPECT_EQ(p->distance, Distance::kDot);
  EXPECT_FALSE(p->multivector);
  EXPECT_EQ(c.FindVector("other"), nullptr);
  EXPECT_TRUE(c.sparse_vectors.empty());
  // Defaults from the settings.
  CollectionDefaults d = BuiltinCollectionDefaults();
  EXPECT_EQ(c.hnsw_config, d.hnsw_config);
  EXPECT_EQ(c.optimizer_config, d.optimizer_config);
  EXPECT_EQ(c.wal_config, d.wal_config);
  EXPECT_TRUE(c.on_disk_payload);
  EXPECT_EQ(c.shard_number, 1u);
  EXPECT_EQ(c.replication_factor, 1u);
  EXPECT_EQ(c.write_consistency_factor, 1u);
  EXPECT_TRUE(c.quantization_config.is_null());
  EXPECT_TRUE(c.metadata.is_null());
}

TEST(ConfigTest, NamedVectors) {
  CollectionConfig c = Create(R"({"vectors": {
      "image": {"size": 3, "distance": "Euclid", "on_disk": true},
      "text": {"size": 5, "distance": "Manhattan", "hnsw_config": {"m": 8}}}})");
  EXPECT_FALSE(c.unnamed_vector);
  ASSERT_EQ(c.vectors.size(), 2u);
  EXPECT_EQ(c.FindVector(""), nullptr);
  ASSERT_NE(c.FindVector("image"), nullptr);
  EXPECT_EQ(c.FindVector("image")->size, 3u);
  EXPECT_EQ(c.FindVector("image")->distance, Distance::kEuclid);
  EXPECT_EQ(c.FindVector("image")->extra.Dump(), R"({"on_disk":true})");
  ASSERT_NE(c.FindVector("text"), nullptr);
  EXPECT_EQ(c.FindVector("text")->distance, Distance::kManhattan);
  EXPECT_EQ(c.FindVector("text")->extra.Dump(), R"({"hnsw_config":{"m":8}})");
}

TEST(ConfigTest, EachDistance) {
  const std::pair<const char*, Distance> cases[] = {{"Cosine", Distance::kCosine},
                                                    {"Euclid", Distance::kEuclid},
                                                    {"Dot", Distance::kDot},
                                                    {"Manhattan", Distance::kManhattan}};
  for (const auto& [name, distance] : cases) {
    CollectionConfig c =
        Create(std::string(R"({"vectors": {"size": 2, "distance": ")") + name + "\"}}");
    ASSERT_NE(c.FindVector(""), nullptr) << name;
    EXPECT_EQ(c.FindVector("")->distance, distance) << name;
    EXPECT_STREQ(DistanceName(distance), name);
    StatusOr<Distance> parsed = ParseDistance(Json(name));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, distance);
  }
  EXPECT_TRUE(HigherIsBetter(Distance::kCosine));
  EXPECT_TRUE(HigherIsBetter(Distance::kDot));
  EXPECT_FALSE(HigherIsBetter(Distance::kEuclid));
  EXPECT_FALSE(HigherIsBetter(Distance::kManhattan));
}

TEST(ConfigTest, BadDistance) {
  for (const char* body : {R"({"vectors": {"size": 2, "distance": "cosine"}})",
                           R"({"vectors": {"size": 2, "distance": "L2"}})",
                           R"({"vectors": {"size": 2, "distance": 1}})",
                           R"({"vectors": {"size": 2}})",
                           R"({"vectors": {"a": {"size": 2, "distance": "Hamming"}}})"}) {
    Status s = CreateError(body);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << body;
  }
  Status s = CreateError(R"({"vectors": {"size": 2, "distance": "cosine"}})");
  EXPECT_THAT(s.message(), HasSubstr("unknown variant `cosine`"));
  EXPECT_THAT(s.message(), HasSubstr("`Cosine`, `Euclid`, `Dot`, `Manhattan`"));
}

TEST(ConfigTest, BadSize) {
  // Out of range: Qdrant's validator (422).
  for (const char* body : {R"({"vectors": {"size": 0, "distance": "Dot"}})",
                           R"({"vectors": {"size": 65537, "distance": "Dot"}})",
                           R"({"vectors": {"v": {"size": 0, "distance": "Dot"}}})"}) {
    EXPECT_EQ(CreateError(body).code(), StatusCode::kUnprocessable) << body;
  }
  EXPECT_TRUE(CollectionConfig::FromCreateRequest(
                  J(R"({"vectors": {"size": 65536, "distance": "Dot"}})"),
                  BuiltinCollectionDefaults())
                  .ok());
  // Wrong type: the deserializer (400).
  for (const char* body : {R"({"vectors": {"size": -1, "distance": "Dot"}})",
                           R"({"vectors": {"size": 1.5, "distance": "Dot"}})",
                           R"({"vectors": {"size": "4", "distance": "Dot"}})",
                           R"({"vectors": {"v": {"distance": "Dot"}}})",
                           R"({"vectors": {"v": 4}})", R"({"vectors": [4]})"}) {
    EXPECT_EQ(CreateError(body).code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(ConfigTest, SparseVectors) {
  CollectionConfig c = Create(R"({"sparse_vectors": {"text": {}, "bm25": {"modifier": "idf"}}})");
  EXPECT_TRUE(c.vectors.empty());
  ASSERT_EQ(c.sparse_vectors.size(), 2u);
  EXPECT_EQ(c.sparse_vectors.at("text").extra.Dump(), "{}");
  EXPECT_EQ(c.sparse_vectors.at("bm25").extra.Dump(), R"({"modifier":"idf"})");

  CollectionConfig both = Create(R"({"vectors": {"dense": {"size": 2, "distance": "Cosine"}},
                                    "sparse_vectors": {"sparse": {"index": {"on_disk": true}}}})");
  EXPECT_EQ(both.vectors.size(), 1u);
  EXPECT_EQ(both.sparse_vectors.size(), 1u);
  EXPECT_EQ(both.FindVector("sparse"), nullptr);  // FindVector is for dense vectors

  EXPECT_EQ(CreateError(R"({"sparse_vectors": {"t": {"modifier": "bogus"}}})").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateError(R"({"sparse_vectors": {"t": 5}})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateError(R"({"sparse_vectors": [1]})").code(), StatusCode::kInvalidArgument);
}

TEST(ConfigTest, MultivectorConfig) {
  CollectionConfig c = Create(
      R"({"vectors": {"size": 2, "distance": "Cosine",
                      "multivector_config": {"comparator": "max_sim"}}})");
  ASSERT_NE(c.FindVector(""), nullptr);
  EXPECT_TRUE(c.FindVector("")->multivector);
  // Reported back in collection info.
  const Json info = c.ToInfoJson();
  const Json* reported = info.Find("params")->Find("vectors")->Find("multivector_config");
  ASSERT_NE(reported, nullptr);
  EXPECT_EQ(reported->Dump(), R"({"comparator":"max_sim"})");

  CollectionConfig named = Create(
      R"({"vectors": {"colbert": {"size": 3, "distance": "Dot",
                                  "multivector_config": {"comparator": "max_sim"}},
                      "plain": {"size": 3, "distance": "Dot"}}})");
  EXPECT_TRUE(named.FindVector("colbert")->multivector);
  EXPECT_FALSE(named.FindVector("plain")->multivector);

  EXPECT_EQ(CreateError(R"({"vectors": {"size": 2, "distance": "Dot",
                                        "multivector_config": {"comparator": "min_sim"}}})")
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateError(R"({"vectors": {"size": 2, "distance": "Dot",
                                        "multivector_config": {}}})")
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(ConfigTest, TopLevelOptions) {
  CollectionConfig c = Create(R"({"vectors": {"size": 2, "distance": "Dot"},
      "shard_number": 2, "replication_factor": 3, "write_consistency_factor": 2,
      "on_disk_payload": false, "hnsw_config": {"m": 32},
      "optimizers_config": {"indexing_threshold": 0},
      "wal_config": {"wal_capacity_mb": 64},
      "quantization_config": {"scalar": {"type": "int8"}},
      "metadata": {"owner": "me"}})");
  EXPECT_EQ(c.shard_number, 2u);
  EXPECT_EQ(c.replication_factor, 3u);
  EXPECT_EQ(c.write_consistency_factor, 2u);
  EXPECT_FALSE(c.on_disk_payload);
  EXPECT_EQ(c.hnsw_config.Find("m")->as_int(), 32);
  EXPECT_EQ(c.hnsw_config.Find("ef_construct")->as_int(), 100);  // default kept
  EXPECT_EQ(c.optimizer_config.Find("indexing_threshold")->as_int(), 0);
  EXPECT_EQ(c.optimizer_config.Find("flush_interval_sec")->as_int(), 5);
  EXPECT_EQ(c.wal_config.Find("wal_capacity_mb")->as_int(), 64);
  EXPECT_EQ(c.quantization_config.Dump(), R"({"scalar":{"type":"int8"}})");
  EXPECT_EQ(c.metadata.Dump(), R"({"owner":"me"})");

  EXPECT_EQ(CreateError(R"({"shard_number": 0})").code(), StatusCode::kUnprocessable);
  EXPECT_EQ(CreateError(R"({"on_disk_payload": "yes"})").code(), StatusCode::kInvalidArgument);
  // A fraction out of its range is the validator's 422 ...
  EXPECT_EQ(CreateError(R"({"optimizers_config": {"deleted_threshold": -0.5}})").code(),
            StatusCode::kUnprocessable);
  // ... but a negative number for an unsigned field (`m` is a usize) fails deserialization: 400.
  EXPECT_EQ(CreateError(R"({"hnsw_config": {"m": -1}})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateError("[1]").code(), StatusCode::kInvalidArgument);

  // An empty body or null members give a collection of defaults.
  CollectionConfig empty = Create("null");
  EXPECT_TRUE(empty.vectors.empty());
  CollectionConfig nulls = Create(R"({"vectors": null, "hnsw_config": null})");
  EXPECT_EQ(nulls.hnsw_config, BuiltinCollectionDefaults().hnsw_config);
}

TEST(ConfigTest, ApplyUpdateOptimizersAndHnsw) {
  CollectionConfig c = Create(R"({"vectors": {"size": 2, "distance": "Dot"}})");
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"optimizers_config": {"indexing_threshold": 100}})")).ok());
  EXPECT_EQ(c.optimizer_config.Find("indexing_threshold")->as_int(), 100);
  EXPECT_DOUBLE_EQ(c.optimizer_config.Find("deleted_threshold")->as_double(), 0.2);

  ASSERT_TRUE(c.ApplyUpdate(J(R"({"hnsw_config": {"m": 48, "ef_construct": 200}})")).ok());
  EXPECT_EQ(c.hnsw_config.Find("m")->as_int(), 48);
  EXPECT_EQ(c.hnsw_config.Find("ef_construct")->as_int(), 200);
  EXPECT_EQ(c.hnsw_config.Find("full_scan_threshold")->as_int(), 10000);
  // The info JSON reflects both.
  Json info = c.ToInfoJson();
  EXPECT_EQ(info.Find("hnsw_config")->Find("m")->as_int(), 48);
  EXPECT_EQ(info.Find("optimizer_config")->Find("indexing_threshold")->as_int(), 100);

  // An empty patch changes nothing.
  std::string before = c.ToInfoJson().Dump();
  ASSERT_TRUE(c.ApplyUpdate(Json::MakeObject()).ok());
  EXPECT_EQ(c.ToInfoJson().Dump(), before);
}

TEST(ConfigTest, ApplyUpdateParams) {
  CollectionConfig c = Create(R"({"vectors": {"size": 2, "distance": "Dot"}})");
  ASSERT_TRUE(c.on_disk_payload);
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"params": {"on_disk_payload": false}})")).ok());
  EXPECT_FALSE(c.on_disk_payload);
  EXPECT_FALSE(c.ToInfoJson().Find("params")->Find("on_disk_payload")->as_bool());
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"params": {"replication_factor": 2}})")).ok());
  EXPECT_EQ(c.replication_factor, 2u);
  EXPECT_EQ(c.ApplyUpdate(J(R"({"params": {"on_disk_payload": 1}})")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(c.ApplyUpdate(J(R"({"params": {"replication_factor": 0}})")).ok());
  EXPECT_EQ(c.replication_factor, 2u);
}

TEST(ConfigTest, ApplyUpdateVectorParams) {
  CollectionConfig c = Create(R"({"vectors": {"a": {"size": 2, "distance": "Dot"}},
                                  "sparse_vectors": {"s": {}}})");
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"vectors": {"a": {"on_disk": true, "hnsw_config": {"m": 4}}}})"))
                  .ok());
  EXPECT_EQ(c.FindVector("a")->extra.Find("on_disk")->as_bool(), true);
  EXPECT_EQ(c.FindVector("a")->extra.Find("hnsw_config")->Dump(), R"({"m":4})");
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"vectors": {"a": {"hnsw_config": {"ef_construct": 9}}}})")).ok());
  EXPECT_EQ(c.FindVector("a")->extra.Find("hnsw_config")->Dump(), R"({"m":4,"ef_construct":9})");
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"sparse_vectors": {"s": {"modifier": "idf"}}})")).ok());
  EXPECT_EQ(c.sparse_vectors.at("s").extra.Dump(), R"({"modifier":"idf"})");
}

TEST(ConfigTest, ApplyUpdateUnknownVectorNameIsAnError) {
  CollectionConfig c = Create(R"({"vectors": {"a": {"size": 2, "distance": "Dot"}}})");
  Status s = c.ApplyUpdate(J(R"({"vectors": {"missing": {"on_disk": true}}})"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Not existing vector name error: missing"));
  s = c.ApplyUpdate(J(R"({"sparse_vectors": {"missing": {}}})"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("missing"));
}

TEST(ConfigTest, FailedUpdateLeavesConfigUnchanged) {
  CollectionConfig c = Create(R"({"vectors": {"a": {"size": 2, "distance": "Dot"}}})");
  const std::string before = c.ToInfoJson().Dump();
  // The valid parts come first; they must not stick.
  for (const char* bad : {
           R"({"optimizers_config": {"indexing_threshold": 5}, "vectors": {"nope": {}}})",
           R"({"hnsw_config": {"m": 64}, "params": {"on_disk_payload": "x"}})",
           R"({"params": {"on_disk_payload": false}, "hnsw_config": {"m": -5}})",
           R"({"vectors": {"a": {"on_disk": true}}, "params": {"replication_factor": 0}})",
           R"({"metadata": {"k": 1}, "strict_mode_config": 3})",
           R"([1, 2])",
       }) {
    EXPECT_FALSE(c.ApplyUpdate(J(bad)).ok()) << bad;
    EXPECT_EQ(c.ToInfoJson().Dump(), before) << bad;
  }
}

TEST(ConfigTest, ApplyUpdateQuantizationAndMetadata) {
  CollectionConfig c = Create(R"({"vectors": {"size": 2, "distance": "Dot"}})");
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"quantization_config": {"scalar": {"type": "int8"}}})")).ok());
  EXPECT_EQ(c.quantization_config.Dump(), R"({"scalar":{"type":"int8"}})");
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"quantization_config": "Disabled"})")).ok());
  EXPECT_TRUE(c.quantization_config.is_null());
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"metadata": {"a": 1}})")).ok());
  ASSERT_TRUE(c.ApplyUpdate(J(R"({"metadata": {"b": 2}})")).ok());
  EXPECT_EQ(c.metadata.Dump(), R"({"a":1,"b":2})");
}

TEST(ConfigTest, InfoJsonShapeUnnamed) {
  CollectionConfig c = Create(R"({"vectors": {"size": 4, "distance": "Cosine"}})");
  Json info = c.ToInfoJson();
  std::vector<std::string> keys;
  for (const auto& [k, v] : info.as_object()) keys.push_back(k);
  EXPECT_THAT(keys, testing::ElementsAre("params", "hnsw_config", "optimizer_config", "wal_config",
                                         "quantization_config", "strict_mode_config"));
  const Json* params = info.Find("params");
  ASSERT_NE(params, nullptr);
  EXPECT_EQ(params->Find("vectors")->Dump(), R"({"size":4,"distance":"Cosine"})");
  EXPECT_EQ(params->Find("shard_number")->Dump(), "1");
  EXPECT_EQ(params->Find("replication_factor")->Dump(), "1");
  EXPECT_EQ(params->Find("write_consistency_factor")->Dump(), "1");
  EXPECT_EQ(params->Find("on_disk_payload")->Dump(), "true");
  EXPECT_EQ(params->Find("sparse_vectors"), nullptr);  // only when there are some
  EXPECT_TRUE(info.Find("quantization_config")->is_null());
  EXPECT_EQ(info.Find("strict_mode_config")->Find("enabled")->Dump(), "false");
  EXPECT_EQ(info.Find("metadata"), nullptr);
  EXPECT_EQ(info.Find("hnsw_config")->Find("m")->Dump(), "16");
}

TEST(ConfigTest, InfoJsonShapeNamedAndSparse) {
  CollectionConfig c = Create(R"({"vectors": {"b": {"size": 2, "distance": "Dot"},
                                              "a": {"size": 3, "distance": "Euclid"}},
                                  "sparse_vectors": {"s": {"modifier": "idf"}},
                                  "metadata": {"m": true}})");
  Json params = *c.ToInfoJson().Find("params");
  EXPECT_EQ(params.Find("vectors")->Dump(),
            R"({"a":{"size":3,"distance":"Euclid"},"b":{"size":2,"distance":"Dot"}})");
  EXPECT_EQ(params.Find("sparse_vectors")->Dump(), R"({"s":{"modifier":"idf"}})");
  EXPECT_EQ(c.ToInfoJson().Find("metadata")->Dump(), R"({"m":true})");
}

void ExpectStoredRoundTrip(const CollectionConfig& c) {
  StatusOr<CollectionConfig> back = CollectionConfig::FromStoredJson(c.ToStoredJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->ToInfoJson().Dump(), c.ToInfoJson().Dump());
  EXPECT_EQ(back->unnamed_vector, c.unnamed_vector);
  EXPECT_EQ(back->vectors.size(), c.vectors.size());
  for (const auto& [name, p] : c.vectors) {
    const VectorParams* q = back->FindVector(name);
    ASSERT_NE(q, nullptr) << name;
    EXPECT_EQ(q->size, p.size);
    EXPECT_EQ(q->distance, p.distance);
    EXPECT_EQ(q->multivector, p.multivector);
  }
  EXPECT_EQ(back->sparse_vectors.size(), c.sparse_vectors.size());
  EXPECT_EQ(back->on_disk_payload, c.on_disk_payload);
  EXPECT_EQ(back->shard_number, c.shard_number);
  EXPECT_EQ(back->replication_factor, c.replication_factor);
  EXPECT_EQ(back->write_consistency_factor, c.write_consistency_factor);
  EXPECT_EQ(back->hnsw_config, c.hnsw_config);
  EXPECT_EQ(back->optimizer_config, c.optimizer_config);
  EXPECT_EQ(back->wal_config, c.wal_config);
  EXPECT_EQ(back->quantization_config, c.quantization_config);
  EXPECT_EQ(back->metadata, c.metadata);
  // And once more: the stored form is a fixed point.
  StatusOr<CollectionConfig> again = CollectionConfig::FromStoredJson(back->ToStoredJson());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToStoredJson().Dump(), c.ToStoredJson().Dump());
}

TEST(ConfigTest, StoredJsonRoundTrip) {
  ExpectStoredRoundTrip(Create(R"({"vectors": {"size": 4, "distance": "Cosine"}})"));
  ExpectStoredRoundTrip(Create(R"({"vectors": {"size": 4, "distance": "Manhattan",
      "on_disk": true, "datatype": "float16", "hnsw_config": {"m": 0},
      "multivector_config": {"comparator": "max_sim"}}})"));
  ExpectStoredRoundTrip(Create(R"({
      "vectors": {"image": {"size": 3, "distance": "Euclid",
                            "quantization_config": {"binary": {}}},
                  "text": {"size": 7, "distance": "Dot"}},
      "sparse_vectors": {"s1": {}, "s2": {"modifier": "idf", "index": {"on_disk": false}}},
      "shard_number": 3, "replication_factor": 2, "write_consistency_factor": 2,
      "on_disk_payload": false,
      "hnsw_config": {"m": 12}, "optimizers_config": {"indexing_threshold": 0},
      "wal_config": {"wal_capacity_mb": 1},
      "quantization_config": {"scalar": {"type": "int8", "quantile": 0.99}},
      "strict_mode_config": {"enabled": true, "max_query_limit": 10},
      "metadata": {"team": "search", "n": 1.5}})"));
  ExpectStoredRoundTrip(Create(R"({"sparse_vectors": {"only": {}}})"));
  ExpectStoredRoundTrip(Create("{}"));

  CollectionConfig updated = Create(R"({"vectors": {"v": {"size": 2, "distance": "Dot"}}})");
  ASSERT_TRUE(updated.ApplyUpdate(J(R"({"vectors": {"v": {"on_disk": true}},
                                       "params": {"on_disk_payload": false},
                                       "optimizers_config": {"max_segment_size": 1000}})"))
                  .ok());
  ExpectStoredRoundTrip(updated);
}

TEST(ConfigTest, FromStoredJsonRejectsGarbage) {
  EXPECT_FALSE(CollectionConfig::FromStoredJson(Json()).ok());
  EXPECT_FALSE(CollectionConfig::FromStoredJson(J(R"({"hnsw_config": {}})")).ok());
  EXPECT_FALSE(
      CollectionConfig::FromStoredJson(J(R"({"params": {"vectors": {"size": 0, "distance": "Dot"}}})"))
          .ok());
}

TEST(ConfigTest, MergeObject) {
  Json base = J(R"({"a": 1, "b": 2})");
  MergeObject(&base, J(R"({"b": 3, "c": 4})"));
  EXPECT_EQ(base.Dump(), R"({"a":1,"b":3,"c":4})");
  MergeObject(&base, J("5"));  // not an object: ignored
  EXPECT_EQ(base.Dump(), R"({"a":1,"b":3,"c":4})");
  Json null_base;
  MergeObject(&null_base, J(R"({"x": true})"));
  EXPECT_EQ(null_base.Dump(), R"({"x":true})");
}

}  // namespace
}  // namespace quiver
