#pragma once
// Filter: Qdrant's payload filter language, parsed once from JSON and evaluated per point.
//
// Semantics follow Qdrant (lib/segment/src/payload_storage/{query_checker,condition_checker}.rs,
// lib/segment/src/types.rs, index/query_optimization/optimized_filter.rs); they are those of a
// collection WITHOUT payload indexes, where Qdrant checks the stored payload itself. Payload
// indexes change only the text conditions (`Match::text_index`); elsewhere they just narrow the
// slots the collection checks (payload_indexes.h).
//   - must: all hold; must_not: none holds; min_should: at least min_count of its conditions
//     hold; should: at least one holds, and an EMPTY should list is no constraint, except inside
//     a `nested` filter, where Qdrant checks the raw filter and an empty should matches nothing.
//   - A field condition looks up the values at its key (payload_path.h). No value at all: only
//     values_count (as count 0), is_empty (true) and is_null (false) can hold. Otherwise it holds
//     if any value satisfies it; for match/range/geo an array value is expanded one level.
//   - Inside `nested`, has_id, has_vector and slice never hold (Qdrant has no ids there).
// Details per condition are in the comments of the structs below.
//
// Thread safety: a parsed Filter is immutable; Matches may run concurrently on one Filter.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "collection/payload_path.h"
#include "collection/point_id.h"
#include "common/json.h"
#include "common/status.h"

namespace quiver {

// What a filter sees of one point.
struct PointView {
  const PointId& id;
  const Json& payload;                                           // an object (possibly empty)
  std::function<bool(std::string_view vector_name)> has_vector;  // "" is the unnamed vector
};

struct Filter;

// An instant as Qdrant's DateTime<Utc>: seconds since the Unix epoch plus nanoseconds. A leap
// second (`23:59:60`) keeps seconds at :59 and carries nanos >= 1e9, as chrono does, so that
// member-wise order is time order.
struct Datetime {
  int64_t seconds = 0;
  uint32_t nanos = 0;
  friend auto operator<=>(const Datetime&, const Datetime&) = default;
};

// Parses a datetime as Qdrant does (`DateTimeWrapper::from_str`, i.e. chrono): with a zone,
// RFC 3339 (`T`, `t` or space between date and time; `Z`/`z`/±HH:MM) and chrono's relaxed forms
// (also `UTC`, ±HHMM, ±HH, spaces between fields, 1-digit fields); without a zone (taken as UTC)
// `YYYY-MM-DD[T| ]HH:MM[:SS[.frac]]` or a bare `YYYY-MM-DD`. nullopt when none fits. A zone
// needs seconds; fractions beyond nanoseconds are ignored; a leap second `:60` is accepted.
std::optional<Datetime> ParseDatetime(std::string_view text);

struct GeoPoint {
  double lon = 0, lat = 0;
};

// Qdrant's Haversine distance in meters (geo crate, mean earth radius 6371008.8 m).
double HaversineMeters(const GeoPoint& a, const GeoPoint& b);

struct GeoBoundingBox {
  GeoPoint top_left, bottom_right;
  // Strictly inside; top_left.lon > bottom_right.lon means the box crosses the antimeridian.
  bool Contains(const GeoPoint& p) const;
};

struct GeoRadius {
  GeoPoint center;
  double radius_m = 0;
  bool Contains(const GeoPoint& p) const { return HaversineMeters(center, p) < radius_m; }
};

struct GeoPolygon {
  std::vector<GeoPoint> exterior;                // closed ring, >= 4 points
  std::vector<std::vector<GeoPoint>> interiors;  // holes, same rules
  // Strictly inside the exterior and outside every hole (boundaries excluded), planar lon/lat,
  // winding-number rule as the geo crate's `Contains`.
  bool Contains(const GeoPoint& p) const;
};

// The rule of a text condition on a field with a full-text index (bound by the collection, see
// PayloadIndexes::Bind): whether one string value matches. Immutable, shared between threads.
class TextMatcher {
 public:
  virtual ~TextMatcher() = default;
  virtual bool Matches(std::string_view value) const = 0;
};

struct Match {
  enum class Kind { kValue, kText, kTextAny, kPhrase, kPrefix, kAny, kExcept };
  enum class ValueType { kString, kInteger, kBool };
  Kind kind = Kind::kValue;
  // kValue: a string (in `text`), an integer or a boolean. An integer never equals a payload
  // double (1 != 1.0), as Qdrant compares integers through `as_i64`.
  ValueType value_type = ValueType::kString;
  int64_t int_value = 0;
  bool bool_value = false;
  std::string text;                 // kValue string; kText, kPhrase (substring); kPrefix
  std::vector<std::string> tokens;  // kTextAny: whitespace-split; any token is a substring
  // kAny / kExcept: a list of strings or a list of integers (an empty list is a string list).
  bool integers = false;
  std::vector<std::string> strings;
  std::vector<int64_t> ints;
  std::unordered_set<std::string> string_set;  // filled for long lists
  std::unordered_set<int64_t> int_set;
  // kText, kTextAny, kPhrase on a field with a text index: Qdrant then matches tokens with the
  // index's tokenizer instead of substrings. Null as parsed (no index known).
  std::shared_ptr<const TextMatcher> text_index;
};

template <typename T>
struct RangeBounds {
  std::optional<T> lt, gt, gte, lte;
  bool Check(const T& v) const {
    return (!lt || v < *lt) && (!gt || v > *gt) && (!gte || v >= *gte) && (!lte || v <= *lte);
  }
};

struct FieldCondition {
  PayloadPath key;
  std::optional<Match> match;
  std::optional<RangeBounds<double>> range;             // numeric bounds
  std::optional<RangeBounds<Datetime>> datetime_range;  // any bound given as a string
  std::optional<GeoBoundingBox> geo_bounding_box;
  std::optional<GeoRadius> geo_radius;
  std::optional<GeoPolygon> geo_polygon;
  std::optional<RangeBounds<uint64_t>> values_count;  // on the raw value: null 0, array length, 1
  std::optional<bool> is_empty;                       // per raw value: null or [] <=> empty
  std::optional<bool> is_null;                        // per raw value: null, or array holding null
};

// Every raw value is null or [] (true when there is none).
struct IsEmptyCondition {
  PayloadPath key;
};
// Some raw value is exactly null.
struct IsNullCondition {
  PayloadPath key;
};
struct HasIdCondition {
  std::vector<PointId> ids;  // sorted, unique
};
struct HasVectorCondition {
  std::string vector_name;
};
struct SliceCondition {  // SipHash-2-4(zero key, id bytes) % total == index
  uint32_t total = 1;
  uint32_t index = 0;
};
struct NestedCondition {  // some object in the array at key[] satisfies the whole filter
  PayloadPath key;        // with `[]` already appended
  std::shared_ptr<const Filter> filter;
};

using Condition = std::variant<FieldCondition, IsEmptyCondition, IsNullCondition, HasIdCondition,
                               HasVectorCondition, SliceCondition, NestedCondition,
                               std::shared_ptr<const Filter>>;

struct MinShould {
  std::vector<Condition> conditions;
  uint64_t min_count = 1;
};

struct Filter {
  // Unset (nullopt) and empty lists differ only for `should` inside nested filters.
  std::optional<std::vector<Condition>> must, should, must_not;
  std::optional<MinShould> min_should;
};

// Parses Qdrant's Filter JSON; null is the empty filter (matches every point). Malformed input
// (unknown condition shape or field, wrong types, bad path, bad datetime, invalid geo point,
// polygon ring with < 4 points or not closed) is kInvalidArgument, as Qdrant's deserializer
// answers 400. Well-formed but invalid input is kUnprocessable, as Qdrant's validator answers
// 422: a field condition with nothing to check ("At least one field condition must be
// specified"), min_should.min_count of 0, a slice index >= total. Messages name the place, e.g.
// "filter.must[0]: At least one field condition must be specified"; `label` is that prefix.
StatusOr<Filter> ParseFilter(const Json& json, std::string_view label = "filter");

// Whether the point satisfies the filter.
bool Matches(const Filter& filter, const PointView& point);

// SipHash-2-4 with a zero key over the id's canonical bytes (8 bytes little-endian, or the 16
// UUID bytes): the hash behind the slice condition. SipHash24 is the keyed function itself.
uint64_t SlicePointIdHash(const PointId& id);
uint64_t SipHash24(uint64_t k0, uint64_t k1, std::string_view data);

// Optimisation hook: when the top-level `must` holds has_id conditions, the ids a matching point
// must have (their intersection, sorted); nullopt when it holds none.
std::optional<std::vector<PointId>> RequiredIds(const Filter& filter);

}  // namespace quiver
