#pragma once
// CollectionConfig: what a collection was created with, in Qdrant's terms. Parsed from the body
// of `PUT /collections/{name}`, changed by `PATCH`, persisted as JSON (docs/formats/), and
// rendered as the `config` of collection info.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/json.h"
#include "common/status.h"

namespace quiver {

enum class Distance { kCosine, kEuclid, kDot, kManhattan };

StatusOr<Distance> ParseDistance(const Json& j);
const char* DistanceName(Distance d);
// Cosine and Dot: larger scores are better. Euclid and Manhattan report a distance: smaller wins.
inline bool HigherIsBetter(Distance d) { return d == Distance::kCosine || d == Distance::kDot; }

struct VectorParams {
  uint64_t size = 0;
  Distance distance = Distance::kCosine;
  bool multivector = false;  // multivector_config {comparator: max_sim}
  Json extra;                // hnsw_config, quantization_config, on_disk, datatype: stored, reported
};

struct SparseVectorParams {
  Json extra;  // index, modifier: stored and reported
};

// The collection-level defaults that come from the server settings (storage section).
struct CollectionDefaults {
  Json hnsw_config;       // m, ef_construct, full_scan_threshold, ...
  Json optimizer_config;  // indexing_threshold, ...
  Json wal_config;
  bool on_disk_payload = true;
  // storage.performance.max_search_threads: how many threads one batch of queries, and the parse
  // of a large body, may use (0: one per CPU). Not part of a collection's config.
  size_t max_search_threads = 0;
};

// Qdrant's defaults, for when the settings give none.
CollectionDefaults BuiltinCollectionDefaults();

struct CollectionConfig {
  // true when created as `vectors: {size, distance}`: the one vector is named "".
  bool unnamed_vector = false;
  std::map<std::string, VectorParams> vectors;
  std::map<std::string, SparseVectorParams> sparse_vectors;
  uint64_t shard_number = 1;
  uint64_t replication_factor = 1;
  uint64_t write_consistency_factor = 1;
  bool on_disk_payload = true;
  Json hnsw_config;
  Json optimizer_config;
  Json wal_config;
  Json quantization_config;  // null when unset
  Json strict_mode_config;   // null when unset
  Json metadata;             // null when unset

  // From the body of `PUT /collections/{name}`.
  static StatusOr<CollectionConfig> FromCreateRequest(const Json& body,
                                                      const CollectionDefaults& defaults);
  // Applies the body of `PATCH /collections/{name}`; on error nothing is changed.
  Status ApplyUpdate(const Json& body);

  // The `config` object of collection info (Qdrant's CollectionConfig schema).
  Json ToInfoJson() const;
  // Persisted form and back.
  Json ToStoredJson() const { return ToInfoJson(); }
  static StatusOr<CollectionConfig> FromStoredJson(const Json& stored);

  // `PUT /collections/{c}/vectors/{name}`: body {"dense": VectorParams} or
  // {"sparse": SparseVectorParams}. On error nothing is changed.
  Status AddVectorName(const std::string& name, const Json& body);
  // `DELETE /collections/{c}/vectors/{name}`.
  Status RemoveVectorName(const std::string& name);

  // Params of a dense vector by name ("" for the unnamed one), or nullptr.
  const VectorParams* FindVector(const std::string& name) const;
};

// Shallow-merges the members of `patch` into `base` (an object). Used for hnsw/optimizer configs.
void MergeObject(Json* base, const Json& patch);

}  // namespace quiver
