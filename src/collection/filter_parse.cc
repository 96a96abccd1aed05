// ParseFilter: Qdrant's Filter JSON into a Filter tree.
//
// Mirrors serde's reading of Qdrant's types (lib/segment/src/types.rs): structs ignore unknown
// fields except Filter (deny_unknown_fields); `must`/`should`/`must_not` take one condition or a
// list; untagged enums (Condition, Match, RangeInterface, AnyVariants) take the first variant that
// fits, in Qdrant's declaration order. A condition with a `key` is always a field condition.
// Shape and type errors are kInvalidArgument (Qdrant's 400); the validator's checks run after a
// successful parse and are kUnprocessable (Qdrant's 422).
#include <algorithm>

#include "collection/filter_parse_internal.h"

namespace quiver {
namespace {

using filter_parse_internal::At;
using filter_parse_internal::Bad;
using filter_parse_internal::Join;
using filter_parse_internal::Opt;
using filter_parse_internal::ParseCount;
using filter_parse_internal::ParseFieldBody;
using filter_parse_internal::ParsePath;

constexpr char kConditionExpected[] =
    "Expected some form of condition, which can be a field condition (like {\"key\": ..., "
    "\"match\": ... }), or some other mentioned in the documentation: "
    "https://qdrant.tech/documentation/concepts/filtering/#filtering-conditions";

StatusOr<Filter> ParseFilterBody(const Json& j, const std::string& where);

// {"key": <path>} of is_empty / is_null.
StatusOr<PayloadPath> ParsePayloadField(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "expected an object {\"key\": ...}");
  const Json* key = j.Find("key");
  if (key == nullptr) return Bad(where, "missing field `key`");
  return ParsePath(*key, Join(where, "key"));
}

StatusOr<Condition> ParseIsEmpty(const Json& j, const std::string& where) {
  QUIVER_ASSIGN_OR_RETURN(PayloadPath key, ParsePayloadField(j, where));
  return Condition(IsEmptyCondition{std::move(key)});
}

StatusOr<Condition> ParseIsNull(const Json& j, const std::string& where) {
  QUIVER_ASSIGN_OR_RETURN(PayloadPath key, ParsePayloadField(j, where));
  return Condition(IsNullCondition{std::move(key)});
}

StatusOr<Condition> ParseHasId(const Json& j, const std::string& where) {
  if (!j.is_array()) return Bad(where, "expected a list of point ids");
  HasIdCondition c;
  for (size_t i = 0; i < j.as_array().size(); ++i) {
    StatusOr<PointId> id = PointId::FromJson(j.as_array()[i]);
    if (!id.ok()) {
      return Bad(At(where, i), "value " + j.as_array()[i].Dump() +
                                   " is not a valid point ID, valid values are either an "
                                   "unsigned integer or a UUID");
    }
    c.ids.push_back(*id);
  }
  std::sort(c.ids.begin(), c.ids.end());
  c.ids.erase(std::unique(c.ids.begin(), c.ids.end()), c.ids.end());
  return Condition(std::move(c));
}

StatusOr<Condition> ParseHasVector(const Json& j, const std::string& where) {
  if (!j.is_string()) return Bad(where, "expected a vector name (string)");
  return Condition(HasVectorCondition{j.as_string()});
}

StatusOr<Condition> ParseSlice(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "expected an object {\"total\": ..., \"index\": ...}");
  SliceCondition c;
  for (auto [name, slot] : {std::pair{"total", &c.total}, {"index", &c.index}}) {
    const Json* v = j.Find(name);
    if (v == nullptr) return Bad(where, "missing field `" + std::string(name) + "`");
    bool is_total = std::string_view(name) == "total";
    if (v->type() != Json::Type::kInt || v->as_int() < (is_total ? 1 : 0) ||
        v->as_int() > UINT32_MAX) {
      return Bad(Join(where, name), is_total ? "expected a nonzero u32" : "expected a u32");
    }
    *slot = static_cast<uint32_t>(v->as_int());
  }
  return Condition(c);
}

StatusOr<Condition> ParseNested(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "expected an object {\"key\": ..., \"filter\": ...}");
  const Json* key = j.Find("key");
  if (key == nullptr) return Bad(where, "missing field `key`");
  const Json* filter = j.Find("filter");
  if (filter == nullptr) return Bad(where, "missing field `filter`");
  NestedCondition c;
  QUIVER_ASSIGN_OR_RETURN(PayloadPath path, ParsePath(*key, Join(where, "key")));
  c.key = path.WithArraySuffix();
  QUIVER_ASSIGN_OR_RETURN(Filter inner, ParseFilterBody(*filter, Join(where, "filter")));
  c.filter = std::make_shared<const Filter>(std::move(inner));
  return Condition(std::move(c));
}

bool IsFilterField(std::string_view name) {
  return name == "should" || name == "min_should" || name == "must" || name == "must_not";
}

StatusOr<Condition> ParseCondition(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, kConditionExpected);
  if (const Json* key = j.Find("key")) {
    if (!key->is_string()) return Bad(where, "Filter condition 'key' must be a string");
    FieldCondition fc;
    QUIVER_RETURN_IF_ERROR(ParseFieldBody(j, where, &fc));
    return Condition(std::move(fc));
  }
  using VariantParser = StatusOr<Condition> (*)(const Json&, const std::string&);
  static constexpr std::pair<const char*, VariantParser> kVariants[] = {
      {"is_empty", ParseIsEmpty},     {"is_null", ParseIsNull}, {"has_id", ParseHasId},
      {"has_vector", ParseHasVector}, {"slice", ParseSlice},    {"nested", ParseNested}};
  std::optional<Status> first_error;
  for (const auto& [field, parse] : kVariants) {
    const Json* v = j.Find(field);
    if (v == nullptr) continue;
    StatusOr<Condition> c = parse(*v, Join(where, field));
    if (c.ok()) return c;
    if (!first_error) first_error = c.status();
  }
  const Json::Object& members = j.as_object();
  if (std::all_of(members.begin(), members.end(),
                  [](const Json::Member& m) { return IsFilterField(m.first); })) {
    StatusOr<Filter> f = ParseFilterBody(j, where);
    if (f.ok()) return Condition(std::make_shared<const Filter>(std::move(f).value()));
    if (!first_error) first_error = f.status();
  }
  if (first_error) return *first_error;
  return Bad(where, kConditionExpected);
}

// One condition or a list of them (Qdrant's MaybeOneOrMany).
StatusOr<std::vector<Condition>> ParseConditionList(const Json& j, const std::string& where) {
  std::vector<Condition> out;
  if (j.is_object()) {
    QUIVER_ASSIGN_OR_RETURN(Condition c, ParseCondition(j, where));
    out.push_back(std::move(c));
    return out;
  }
  if (!j.is_array()) return Bad(where, "expected a condition or a list of conditions");
  for (size_t i = 0; i < j.as_array().size(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(Condition c, ParseCondition(j.as_array()[i], At(where, i)));
    out.push_back(std::move(c));
  }
  return out;
}

StatusOr<MinShould> ParseMinShould(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "expected an object {\"conditions\", \"min_count\"}");
  const Json* conditions = j.Find("conditions");
  if (conditions == nullptr) return Bad(where, "missing field `conditions`");
  const Json* min_count = j.Find("min_count");
  if (min_count == nullptr) return Bad(where, "missing field `min_count`");
  std::string at = Join(where, "conditions");
  if (!conditions->is_array()) return Bad(at, "expected a list of conditions");
  MinShould ms;
  QUIVER_ASSIGN_OR_RETURN(ms.conditions, ParseConditionList(*conditions, at));
  QUIVER_ASSIGN_OR_RETURN(ms.min_count, ParseCount(*min_count, Join(where, "min_count")));
  return ms;
}

StatusOr<Filter> ParseFilterBody(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "expected a filter object");
  for (const auto& [name, value] : j.as_object()) {
    if (!IsFilterField(name)) {
      return Bad(where, "unknown field `" + name +
                            "`, expected one of `should`, `min_should`, `must`, `must_not`");
    }
  }
  Filter f;
  for (auto [name, slot] :
       {std::pair{"must", &f.must}, {"should", &f.should}, {"must_not", &f.must_not}}) {
    const Json* v = Opt(j, name);
    if (v == nullptr) continue;
    QUIVER_ASSIGN_OR_RETURN(*slot, ParseConditionList(*v, Join(where, name)));
  }
  if (const Json* v = Opt(j, "min_should")) {
    QUIVER_ASSIGN_OR_RETURN(f.min_should, ParseMinShould(*v, Join(where, "min_should")));
  }
  return f;
}

// ---- validation (Qdrant's `validator` pass: 422) ----

Status ValidateFilter(const Filter& f, const std::string& where);

Status ValidateCondition(const Condition& c, const std::string& where) {
  if (const auto* fc = std::get_if<FieldCondition>(&c)) {
    if (!fc->match && !fc->range && !fc->datetime_range && !fc->geo_bounding_box &&
        !fc->geo_radius && !fc->geo_polygon && !fc->values_count && !fc->is_empty && !fc->is_null) {
      return Unprocessable(where + ": At least one field condition must be specified");
    }
  } else if (const auto* slice = std::get_if<SliceCondition>(&c)) {
    if (slice->index >= slice->total) {
      return Unprocessable(Join(where, "slice") +
                           ": Slice index must be less than the total number of slices");
    }
  } else if (const auto* nested = std::get_if<NestedCondition>(&c)) {
    return ValidateFilter(*nested->filter, Join(Join(where, "nested"), "filter"));
  } else if (const auto* sub = std::get_if<std::shared_ptr<const Filter>>(&c)) {
    return ValidateFilter(**sub, where);
  }
  return Status::Ok();
}

Status ValidateList(const std::vector<Condition>& list, const std::string& where) {
  for (size_t i = 0; i < list.size(); ++i) {
    QUIVER_RETURN_IF_ERROR(ValidateCondition(list[i], At(where, i)));
  }
  return Status::Ok();
}

Status ValidateFilter(const Filter& f, const std::string& where) {
  if (f.should) QUIVER_RETURN_IF_ERROR(ValidateList(*f.should, Join(where, "should")));
  if (f.min_should) {
    std::string at = Join(where, "min_should");
    QUIVER_RETURN_IF_ERROR(ValidateList(f.min_should->conditions, Join(at, "conditions")));
    if (f.min_should->min_count == 0) {
      return Unprocessable(Join(at, "min_count") + ": min_count must be greater than 0");
    }
  }
  if (f.must) QUIVER_RETURN_IF_ERROR(ValidateList(*f.must, Join(where, "must")));
  if (f.must_not) QUIVER_RETURN_IF_ERROR(ValidateList(*f.must_not, Join(where, "must_not")));
  return Status::Ok();
}

}  // namespace

StatusOr<Filter> ParseFilter(const Json& json, std::string_view label) {
  if (json.is_null()) return Filter{};
  std::string where(label);
  QUIVER_ASSIGN_OR_RETURN(Filter f, ParseFilterBody(json, where));
  QUIVER_RETURN_IF_ERROR(ValidateFilter(f, where));
  return f;
}

}  // namespace quiver
