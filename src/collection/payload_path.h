#pragma once
// PayloadPath: a path into a point's JSON payload, in Qdrant's `JsonPath` syntax.
//
// Grammar (as Qdrant's parser, lib/segment/src/json_path/parse.rs):
//   path  := key item*
//   item  := "." key | "[" digits "]" | "[]"
//   key   := raw | quoted
//   raw   := one or more of: letters and digits (Unicode), "_", "-"
//   quoted:= '"' any characters except '"' and '\' '"'   (no escapes; may be empty)
// Examples: `a`, `a.b.c`, `a[].b` (every element), `a[2].b`, `"key.with.dots".x`, `a[0][]`.
// A path always starts with a key; `[0]` or `.a` alone is malformed.
//
// Thread safety: a PayloadPath is an immutable value; the functions below only read it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace quiver {

struct PayloadPath {
  struct Item {
    enum class Kind { kKey, kIndex, kWildcard };
    Kind kind = Kind::kKey;
    std::string key;   // kKey
    size_t index = 0;  // kIndex
    friend bool operator==(const Item&, const Item&) = default;
  };

  // REQUIRES: non-empty, items[0] is a key (Parse guarantees both).
  std::vector<Item> items;

  // Parses Qdrant's path syntax; kInvalidArgument "Invalid json path: '<text>'" when malformed.
  static StatusOr<PayloadPath> Parse(std::string_view text);

  // Qdrant's canonical text: keys that are not plain `raw` keys are double-quoted.
  std::string ToString() const;

  // The path with `[]` appended unless it already ends in `[]` (Qdrant's `array_key`, used by
  // nested conditions: `nested {key: "a"}` looks at every element of `a`).
  PayloadPath WithArraySuffix() const;
  bool HasWildcardSuffix() const;

  friend bool operator==(const PayloadPath&, const PayloadPath&) = default;
};

// Calls `visit(const Json&)` for each value the path resolves to, in document order, as Qdrant's
// `JsonPath::value_get`: a key step enters an object member, `[i]` one array element, `[]` every
// element; a step that does not fit the value (key on a non-object, index on a non-array, index
// out of range) yields nothing. The value at the end of the path is reported as it is: an array
// there is NOT expanded (so `a` on {"a": [1, 2]} reports the array once, `a[]` reports 1 and 2).
// A JSON null at the end is reported. `visit` returns true to stop early; the function returns
// true when it was stopped.
template <typename Visit>
bool VisitValuesAtPath(const Json& payload, const PayloadPath& path, Visit&& visit);

// The values `VisitValuesAtPath` reports (Qdrant's `value_get`), unflattened. Conditions that
// count values or test emptiness (values_count, is_empty, is_null) work on these.
std::vector<const Json*> RawValuesAtPath(const Json& payload, const PayloadPath& path);

// The values a match/range/geo condition compares against: the raw values, with each value that
// is an array replaced by its elements (one level only: [[1], 2] gives [1] and 2). So a field
// whose value is an array matches if any element matches; an empty array contributes nothing.
// This is also the set of values Qdrant indexes for a field.
std::vector<const Json*> ValuesAtPath(const Json& payload, const PayloadPath& path);

// set_payload with `key` (Qdrant's `JsonPath::value_set`): merges the members of `values` into
// the object(s) at `path`. Missing keys along the way are created as objects; a non-object met by
// a key step is replaced by an empty object; a non-array met by `[i]` or `[]` is replaced by an
// empty array (and nothing is set below it); `[i]` past the end sets nothing. The merge itself is
// `MergePayload`. REQUIRES: payload is an object or null, values is an object.
void SetPayloadAtPath(Json* payload, const PayloadPath& path, const Json& values);

// set_payload without `key` (Qdrant's `merge_map`): each member of `values` replaces the member of
// the same name in `object` (keeping its position) or is appended; a member whose value is null
// REMOVES that key instead. Removal moves the last member into the removed slot, as Qdrant's
// order-preserving map does (`swap_remove`). REQUIRES: object is an object or null.
void MergePayload(Json* object, const Json& values);

// delete_payload (Qdrant's `JsonPath::value_remove`): removes the member the path names (from
// every object a `[]` reaches); a trailing `[]` empties the array; a trailing `[i]` removes nothing
// (Qdrant refuses non-idempotent index deletion). Removal order semantics as MergePayload.
// Returns the removed values. REQUIRES: payload is an object (anything else: nothing removed).
std::vector<Json> DeletePayloadAtPath(Json* payload, const PayloadPath& path);

// ---- implementation of the template ----

namespace payload_path_internal {

template <typename Visit>
bool VisitFrom(const Json& value, const PayloadPath& path, size_t step, Visit& visit) {
  if (step == path.items.size()) return visit(value);
  const PayloadPath::Item& item = path.items[step];
  switch (item.kind) {
    case PayloadPath::Item::Kind::kKey: {
      const Json* member = value.Find(item.key);
      return member != nullptr && VisitFrom(*member, path, step + 1, visit);
    }
    case PayloadPath::Item::Kind::kIndex:
      return value.is_array() && item.index < value.as_array().size() &&
             VisitFrom(value.as_array()[item.index], path, step + 1, visit);
    case PayloadPath::Item::Kind::kWildcard:
      if (!value.is_array()) return false;
      for (const Json& element : value.as_array()) {
        if (VisitFrom(element, path, step + 1, visit)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace payload_path_internal

template <typename Visit>
bool VisitValuesAtPath(const Json& payload, const PayloadPath& path, Visit&& visit) {
  return payload_path_internal::VisitFrom(payload, path, 0, visit);
}

}  // namespace quiver
