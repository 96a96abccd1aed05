#pragma once
// Typed operations on one collection: what the front ends translate requests into.

#include <optional>
#include <string>
#include <vector>

#include "collection/filter.h"
#include "collection/payload_path.h"
#include "collection/point_id.h"
#include "collection/vectors.h"
#include "common/json.h"

namespace quiver {

struct PointStruct {
  PointId id;
  NamedVectors vectors;
  Json payload;  // an object, or null for none
};

// Which points an operation touches: listed ids, or those matching a filter.
struct PointSelector {
  std::vector<PointId> ids;
  std::optional<Filter> filter;
};

struct UpdateOperation {
  enum class Kind {
    kUpsert,
    kDeletePoints,
    kSetPayload,
    kOverwritePayload,
    kDeletePayload,
    kClearPayload,
    kUpdateVectors,
    kDeleteVectors,
  };
  Kind kind = Kind::kUpsert;
  std::vector<PointStruct> points;      // upsert; update_vectors (vectors only)
  PointSelector selector;               // delete, payload ops, delete_vectors
  Json payload;                         // set / overwrite
  std::optional<PayloadPath> key;       // set_payload into a nested object
  std::vector<PayloadPath> keys;        // delete_payload
  std::vector<std::string> vector_names;  // delete_vectors
  // Conditional writes (upsert, update_vectors): an existing point is changed only if it
  // matches update_filter; update_mode restricts an upsert to new or to existing points.
  std::optional<Filter> update_filter;
  enum class Mode { kUpsert, kInsertOnly, kUpdateOnly };
  Mode update_mode = Mode::kUpsert;
};

struct UpdateResult {
  uint64_t operation_id = 0;
  bool completed = true;  // "completed" for wait=true, "acknowledged" otherwise
};

// with_payload: false / true / [keys] / {include} / {exclude}.
struct PayloadSelector {
  enum class Mode { kNone, kAll, kInclude, kExclude };
  Mode mode = Mode::kNone;
  std::vector<std::string> paths;
};

// with_vector: false / true / [names].
struct VectorSelector {
  bool all = false;
  std::vector<std::string> names;
  bool any() const { return all || !names.empty(); }
};

// A point as returned by retrieve, scroll and the search family.
struct PointOut {
  PointId id;
  uint64_t version = 0;
  std::optional<float> score;   // set for search results
  std::optional<Json> payload;  // absent when not asked for
  std::optional<Json> vector;
  std::optional<Json> order_value;
};

struct OrderBy {
  std::string key;
  bool descending = false;
  std::optional<double> start_from;
};

}  // namespace quiver
