// Matches: evaluates a parsed Filter against one point, as Qdrant checks a payload without
// payload indexes (query_checker.rs, condition_checker.rs, optimized_filter.rs).
#include <algorithm>

#include "collection/filter.h"

namespace quiver {
namespace {

// What the evaluation knows of the point. Inside `nested`, the payload is one array element and
// there is no point: has_id, has_vector and slice do not hold, and an empty `should` list
// matches nothing (Qdrant evaluates nested filters with its plain checker, top-level ones with
// its optimized filter, which skips an empty `should`).
struct Scope {
  const Json& payload;
  const PointView* point;  // nullptr inside nested
};

bool CheckFilter(const Filter& filter, const Scope& scope);

bool Contains(const std::vector<std::string>& list, const std::unordered_set<std::string>& set,
              const std::string& v) {
  if (!set.empty()) return set.count(v) > 0;
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool Contains(const std::vector<int64_t>& list, const std::unordered_set<int64_t>& set, int64_t v) {
  if (!set.empty()) return set.count(v) > 0;
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Qdrant's `Match::check_match` on one (already array-expanded) value.
bool CheckMatch(const Match& m, const Json& v) {
  if (m.text_index) return v.is_string() && m.text_index->Matches(v.as_string());
  switch (m.kind) {
    case Match::Kind::kValue:
      switch (m.value_type) {
        case Match::ValueType::kString:
          return v.is_string() && v.as_string() == m.text;
        case Match::ValueType::kInteger:
          return v.type() == Json::Type::kInt && v.as_int() == m.int_value;
        case Match::ValueType::kBool:
          return v.is_bool() && v.as_bool() == m.bool_value;
      }
      return false;
    case Match::Kind::kText:
    case Match::Kind::kPhrase:
      return v.is_string() && v.as_string().find(m.text) != std::string::npos;
    case Match::Kind::kTextAny:
      return v.is_string() && std::any_of(m.tokens.begin(), m.tokens.end(), [&](const auto& t) {
               return v.as_string().find(t) != std::string::npos;
             });
    case Match::Kind::kPrefix:
      return v.is_string() && v.as_string().starts_with(m.text);
    case Match::Kind::kAny:
      if (!m.integers) return v.is_string() && Contains(m.strings, m.string_set, v.as_string());
      return v.type() == Json::Type::kInt && Contains(m.ints, m.int_set, v.as_int());
    case Match::Kind::kExcept:
      // Anything that is not of the list's kind passes, except null.
      if (v.is_null()) return false;
      if (!m.integers && v.is_string()) return !Contains(m.strings, m.string_set, v.as_string());
      if (m.integers && v.type() == Json::Type::kInt)
        return !Contains(m.ints, m.int_set, v.as_int());
      return true;
  }
  return false;
}

std::optional<GeoPoint> AsGeoPoint(const Json& v) {
  const Json* lon = v.Find("lon");
  const Json* lat = v.Find("lat");
  if (lon == nullptr || lat == nullptr || !lon->is_number() || !lat->is_number()) return {};
  return GeoPoint{lon->as_double(), lat->as_double()};
}

// The match/range/geo part of a field condition on one (already array-expanded) value: any of
// the given checks holding is enough, as Qdrant ORs them.
bool CheckValue(const FieldCondition& fc, const Json& v) {
  if (fc.match && CheckMatch(*fc.match, v)) return true;
  if (fc.range && v.is_number() && fc.range->Check(v.as_double())) return true;
  if (fc.datetime_range && v.is_string()) {
    std::optional<Datetime> dt = ParseDatetime(v.as_string());
    if (dt && fc.datetime_range->Check(*dt)) return true;
  }
  if (fc.geo_bounding_box || fc.geo_radius || fc.geo_polygon) {
    if (std::optional<GeoPoint> p = AsGeoPoint(v)) {
      if (fc.geo_bounding_box && fc.geo_bounding_box->Contains(*p)) return true;
      if (fc.geo_radius && fc.geo_radius->Contains(*p)) return true;
      if (fc.geo_polygon && fc.geo_polygon->Contains(*p)) return true;
    }
  }
  return false;
}

bool IsEmptyValue(const Json& v) { return v.is_null() || (v.is_array() && v.as_array().empty()); }

// Qdrant's `FieldCondition::check` on one raw value at the key. values_count, is_empty and
// is_null, when present, decide alone (in that order of precedence).
bool CheckRawValue(const FieldCondition& fc, const Json& v) {
  if (fc.values_count) {
    uint64_t count = v.is_null() ? 0 : v.is_array() ? v.as_array().size() : 1;
    return fc.values_count->Check(count);
  }
  if (fc.is_empty) return IsEmptyValue(v) == *fc.is_empty;
  if (fc.is_null) {
    bool null =
        v.is_null() || (v.is_array() && std::any_of(v.as_array().begin(), v.as_array().end(),
                                                    [](const Json& x) { return x.is_null(); }));
    return null == *fc.is_null;
  }
  if (v.is_array()) {
    return std::any_of(v.as_array().begin(), v.as_array().end(),
                       [&](const Json& x) { return CheckValue(fc, x); });
  }
  return CheckValue(fc, v);
}

// Qdrant's `check_empty`: the verdict when the key resolves to no value at all.
bool CheckMissing(const FieldCondition& fc) {
  if (fc.values_count) return fc.values_count->Check(0);
  if (fc.is_empty) return *fc.is_empty;
  if (fc.is_null) return !*fc.is_null;
  return false;
}

bool CheckField(const FieldCondition& fc, const Json& payload) {
  bool found = false;
  bool matched = VisitValuesAtPath(payload, fc.key, [&](const Json& v) {
    found = true;
    return CheckRawValue(fc, v);
  });
  return matched || (!found && CheckMissing(fc));
}

struct ConditionChecker {
  const Scope& scope;

  bool operator()(const FieldCondition& c) const { return CheckField(c, scope.payload); }
  bool operator()(const IsEmptyCondition& c) const {
    // Every value empty (vacuously true when there is none).
    return !VisitValuesAtPath(scope.payload, c.key, [](const Json& v) { return !IsEmptyValue(v); });
  }
  bool operator()(const IsNullCondition& c) const {
    return VisitValuesAtPath(scope.payload, c.key, [](const Json& v) { return v.is_null(); });
  }
  bool operator()(const HasIdCondition& c) const {
    return scope.point != nullptr &&
           std::binary_search(c.ids.begin(), c.ids.end(), scope.point->id);
  }
  bool operator()(const HasVectorCondition& c) const {
    return scope.point != nullptr && scope.point->has_vector &&
           scope.point->has_vector(c.vector_name);
  }
  bool operator()(const SliceCondition& c) const {
    return scope.point != nullptr && SlicePointIdHash(scope.point->id) % c.total == c.index;
  }
  bool operator()(const NestedCondition& c) const {
    return VisitValuesAtPath(scope.payload, c.key, [&](const Json& element) {
      return element.is_object() && CheckFilter(*c.filter, Scope{element, nullptr});
    });
  }
  bool operator()(const std::shared_ptr<const Filter>& f) const { return CheckFilter(*f, scope); }
};

bool Check(const Condition& c, const Scope& scope) {
  return std::visit(ConditionChecker{scope}, c);
}

bool CheckFilter(const Filter& filter, const Scope& scope) {
  auto holds = [&](const Condition& c) { return Check(c, scope); };
  if (filter.must && !std::all_of(filter.must->begin(), filter.must->end(), holds)) return false;
  if (filter.must_not && std::any_of(filter.must_not->begin(), filter.must_not->end(), holds)) {
    return false;
  }
  if (filter.should) {
    bool skip_empty = scope.point != nullptr;
    if (!(filter.should->empty() && skip_empty) &&
        !std::any_of(filter.should->begin(), filter.should->end(), holds)) {
      return false;
    }
  }
  if (filter.min_should) {
    uint64_t remaining = filter.min_should->min_count;
    for (const Condition& c : filter.min_should->conditions) {
      if (remaining == 0) break;
      if (holds(c)) --remaining;
    }
    if (remaining > 0) return false;
  }
  return true;
}

}  // namespace

bool Matches(const Filter& filter, const PointView& point) {
  return CheckFilter(filter, Scope{point.payload, &point});
}

std::optional<std::vector<PointId>> RequiredIds(const Filter& filter) {
  if (!filter.must) return std::nullopt;
  std::optional<std::vector<PointId>> ids;
  for (const Condition& c : *filter.must) {
    const auto* has_id = std::get_if<HasIdCondition>(&c);
    if (has_id == nullptr) continue;
    if (!ids) {
      ids = has_id->ids;
      continue;
    }
    std::vector<PointId> both;
    std::set_intersection(ids->begin(), ids->end(), has_id->ids.begin(), has_id->ids.end(),
                          std::back_inserter(both));
    *ids = std::move(both);
  }
  return ids;
}

}  // namespace quiver
