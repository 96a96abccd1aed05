#pragma once
// PayloadIndexes: the payload field indexes of one collection (`PUT /collections/{c}/index`), kept
// current on every write, and what filters, facet and order_by take from them.
//
// Correctness never depends on an index: Candidates() returns a SUPERSET of the slots a filter
// matches, and the caller still evaluates the whole filter on each candidate. The one change of
// meaning an index brings is Qdrant's: a text condition (match text / text_any / phrase) on a field
// with a full-text index matches tokens, not substrings (Bind()).
//
// Values are extracted at the field's path as the filter sees them (ValuesAtPath: arrays expanded
// one level) and converted to the index's type: keyword/text strings, integer int64 (not 1.0),
// float any number, bool, uuid strings that parse as UUIDs (canonical form), datetime strings that
// ParseDatetime accepts, geo {lon, lat} objects. Other non-null values are "unindexed".
//
// Thread safety: none; the collection's lock guards it (writers exclusive, readers shared).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collection/filter.h"
#include "collection/payload_path.h"
#include "common/json.h"
#include "common/status.h"
#include "index/payload_index.h"

namespace quiver {

// How many points a filter may match: Qdrant's CardinalityEstimation (min <= exp <= max).
struct CardinalityEstimate {
  uint64_t min = 0, exp = 0, max = 0;
};

class PayloadIndexes {
 public:
  struct Field {
    std::string name;  // as requested: the key of payload_schema
    PayloadPath path;
    Json schema;  // {"data_type": ..., "params"?: {...}}
    std::unique_ptr<index::FieldIndex> index;
    bool lookup = true,
         range = true;  // integer params: which queries the index answers
  };
  // The slot of a point id, for has_id conditions (nullopt: no such point).
  using SlotOf = std::function<std::optional<uint32_t>(const PointId&)>;

  // Validates a schema ({"data_type": t, "params"?: p}, as the REST layer builds it) and makes the
  // field's empty index. kInvalidArgument for a bad path or text params Quiver cannot honour.
  static StatusOr<Field> MakeField(const std::string& name, const Json& schema);
  // Indexes one slot's payload into one field (the build of a new field).
  static void IndexSlot(Field* field, uint32_t slot, const Json& payload);

  // Adds the field, replacing one of the same name (Qdrant keeps one index per field).
  void Put(Field field);
  void Drop(const std::string& name);
  // Re-indexes a slot in every field after a write; nullptr: the slot's point is gone.
  void Update(uint32_t slot, const Json* payload);

  bool empty() const { return fields_.empty(); }
  const std::vector<Field>& fields() const { return fields_; }
  const Field* Find(std::string_view name) const;
  const Field* FindPath(const PayloadPath& path) const;

  // The filter with every text condition on a text-indexed field bound to that index's rule (at any
  // depth, nested keys included); nullptr when nothing needed binding (use the original).
  std::shared_ptr<const Filter> Bind(const Filter& filter) const;
  // A superset of the live slots matching `filter`, from its top-level `must` (and `should`, when
  // every one of its conditions is indexed); nullopt when no index narrows it.
  std::optional<index::Bitmap> Candidates(const Filter& filter, const SlotOf& slot_of) const;
  // Qdrant's cardinality estimate of `filter` over `total` points.
  CardinalityEstimate Estimate(const Filter& filter, uint64_t total, const SlotOf& slot_of) const;

 private:
  struct FieldHit;  // a condition's slots, and whether they are exactly its matches
  std::optional<FieldHit> FieldCandidates(const FieldCondition& c) const;
  std::optional<FieldHit> ConditionCandidates(const Condition& c, const SlotOf& slot_of) const;
  std::optional<index::Bitmap> FilterCandidates(const Filter& f, const SlotOf& slot_of) const;
  CardinalityEstimate EstimateFilter(const Filter& f, uint64_t total, const SlotOf& slot_of) const;
  CardinalityEstimate EstimateCondition(const Condition& c, uint64_t total,
                                        const SlotOf& slot_of) const;

  std::vector<Field> fields_;  // in creation order (payload_schema lists them so)
};

// The data_type name of a field index type, and back (nullopt for an unknown name).
std::optional<index::FieldType> FieldTypeOf(std::string_view data_type);

// A datetime as the index stores it.
inline index::DatetimeKey ToDatetimeKey(const Datetime& d) { return {d.seconds, d.nanos}; }

}  // namespace quiver
