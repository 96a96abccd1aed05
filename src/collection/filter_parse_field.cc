// ParseFilter, second half: the field condition `{"key": ..., <checks>}` and its parts (match,
// range, values_count, geo shapes). See filter_parse.cc for the rules this follows.
#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>

#include "collection/filter_parse_internal.h"

namespace quiver::filter_parse_internal {

std::string Join(const std::string& where, std::string_view field) {
  return where.empty() ? std::string(field) : where + "." + std::string(field);
}
std::string At(const std::string& where, size_t i) { return where + "[" + std::to_string(i) + "]"; }
Status Bad(const std::string& where, const std::string& message) {
  return InvalidArgument(where.empty() ? message : where + ": " + message);
}

const Json* Opt(const Json& object, std::string_view name) {
  const Json* m = object.Find(name);
  return m != nullptr && !m->is_null() ? m : nullptr;
}

StatusOr<PayloadPath> ParsePath(const Json& j, const std::string& where) {
  if (!j.is_string()) return Bad(where, "expected a string (payload key)");
  StatusOr<PayloadPath> path = PayloadPath::Parse(j.as_string());
  if (!path.ok()) return Bad(where, path.status().message());
  return path;
}

StatusOr<uint64_t> ParseCount(const Json& j, const std::string& where) {
  if (j.type() == Json::Type::kInt && j.as_int() >= 0) return static_cast<uint64_t>(j.as_int());
  if (j.type() == Json::Type::kUInt) return j.as_uint();
  return Bad(where, "expected a non-negative integer");
}

namespace {

constexpr char kMatchExpected[] =
    "data did not match any variant of untagged enum MatchInterface: expected an object with "
    "`value` (string, integer or boolean), `text`, `text_any`, `phrase` or `prefix` (string), or "
    "`any` or `except` (a list of strings or a list of integers)";
constexpr size_t kSetThreshold = 13;  // Qdrant's INDEXSET_ITER_THRESHOLD

std::string FormatNumber(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

StatusOr<double> ParseNumber(const Json& j, const std::string& where) {
  if (!j.is_number()) return Bad(where, "expected a number");
  return j.as_double();
}

StatusOr<double> RequiredNumber(const Json& object, std::string_view name,
                                const std::string& where) {
  const Json* m = object.Find(name);
  if (m == nullptr) return Bad(where, "missing field `" + std::string(name) + "`");
  return ParseNumber(*m, Join(where, name));
}

// ---- match ----

bool IsUnicodeSpaceAt(std::string_view s, size_t i, size_t* len) {
  static constexpr std::string_view kMultiByte[] = {"\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80",
                                                    "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
                                                    "\xE2\x81\x9F", "\xE3\x80\x80"};
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) {
    *len = 1;
    return true;
  }
  // U+2000..U+200A: E2 80 80..8A
  if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
      static_cast<unsigned char>(s[i + 2]) >= 0x80 &&
      static_cast<unsigned char>(s[i + 2]) <= 0x8A) {
    *len = 3;
    return true;
  }
  for (std::string_view m : kMultiByte) {
    if (s.substr(i, m.size()) == m) {
      *len = m.size();
      return true;
    }
  }
  return false;
}

// Rust's `str::split_whitespace` (Unicode White_Space).
std::vector<std::string> SplitWhitespace(std::string_view s) {
  std::vector<std::string> tokens;
  std::string current;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    if (IsUnicodeSpaceAt(s, i, &len)) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
      i += len;
    } else {
      current.push_back(s[i++]);
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

// AnyVariants: a list of strings, else a list of integers; [] is a (empty) list of strings.
// Duplicates are dropped as by IndexSet.
bool ParseAnyList(const Json& j, Match* m) {
  if (!j.is_array()) return false;
  const Json::Array& items = j.as_array();
  if (std::all_of(items.begin(), items.end(), [](const Json& x) { return x.is_string(); })) {
    m->integers = false;
    for (const Json& x : items) {
      if (std::find(m->strings.begin(), m->strings.end(), x.as_string()) == m->strings.end()) {
        m->strings.push_back(x.as_string());
      }
    }
    if (m->strings.size() >= kSetThreshold)
      m->string_set.insert(m->strings.begin(), m->strings.end());
    return true;
  }
  if (std::all_of(items.begin(), items.end(),
                  [](const Json& x) { return x.type() == Json::Type::kInt; })) {
    m->integers = true;
    for (const Json& x : items) {
      if (std::find(m->ints.begin(), m->ints.end(), x.as_int()) == m->ints.end()) {
        m->ints.push_back(x.as_int());
      }
    }
    if (m->ints.size() >= kSetThreshold) m->int_set.insert(m->ints.begin(), m->ints.end());
    return true;
  }
  return false;
}

StatusOr<Match> ParseMatch(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, kMatchExpected);
  Match m;
  if (const Json* v = j.Find("value")) {
    m.kind = Match::Kind::kValue;
    if (v->is_string()) {
      m.text = v->as_string();
      return m;
    }
    if (v->type() == Json::Type::kInt) {
      m.value_type = Match::ValueType::kInteger;
      m.int_value = v->as_int();
      return m;
    }
    if (v->is_bool()) {
      m.value_type = Match::ValueType::kBool;
      m.bool_value = v->as_bool();
      return m;
    }
  }
  static constexpr std::pair<const char*, Match::Kind> kTextual[] = {
      {"text", Match::Kind::kText},
      {"text_any", Match::Kind::kTextAny},
      {"phrase", Match::Kind::kPhrase},
      {"prefix", Match::Kind::kPrefix}};
  for (const auto& [field, kind] : kTextual) {
    const Json* v = j.Find(field);
    if (v == nullptr || !v->is_string()) continue;
    m.kind = kind;
    m.text = v->as_string();
    if (kind == Match::Kind::kTextAny) m.tokens = SplitWhitespace(m.text);
    return m;
  }
  if (const Json* v = j.Find("any"); v != nullptr && ParseAnyList(*v, &m)) {
    m.kind = Match::Kind::kAny;
    return m;
  }
  if (const Json* v = j.Find("except"); v != nullptr && ParseAnyList(*v, &m)) {
    m.kind = Match::Kind::kExcept;
    return m;
  }
  return Bad(where, kMatchExpected);
}

// ---- range, values_count ----

Status ParseRange(const Json& j, const std::string& where, FieldCondition* fc) {
  static constexpr const char* kBounds[] = {"lt", "gt", "gte", "lte"};
  if (!j.is_object()) return Bad(where, "expected an object with `lt`, `gt`, `gte`, `lte`");
  bool datetime = std::any_of(std::begin(kBounds), std::end(kBounds), [&](const char* b) {
    const Json* v = j.Find(b);
    return v != nullptr && v->is_string();
  });
  if (datetime) {
    RangeBounds<Datetime> r;
    std::optional<Datetime>* slots[] = {&r.lt, &r.gt, &r.gte, &r.lte};
    for (size_t i = 0; i < 4; ++i) {
      const Json* v = Opt(j, kBounds[i]);
      if (v == nullptr) continue;
      std::string at = Join(where, kBounds[i]);
      if (!v->is_string()) return Bad(at, "expected a datetime string, as the other bounds");
      *slots[i] = ParseDatetime(v->as_string());
      if (!*slots[i]) {
        return Bad(at, "'" + v->as_string() +
                           "' does not match accepted datetime format (RFC3339). Example: "
                           "2014-01-01T00:00:00Z");
      }
    }
    fc->datetime_range = r;
    return Status::Ok();
  }
  RangeBounds<double> r;
  std::optional<double>* slots[] = {&r.lt, &r.gt, &r.gte, &r.lte};
  for (size_t i = 0; i < 4; ++i) {
    const Json* v = Opt(j, kBounds[i]);
    if (v == nullptr) continue;
    QUIVER_ASSIGN_OR_RETURN(*slots[i], ParseNumber(*v, Join(where, kBounds[i])));
  }
  fc->range = r;
  return Status::Ok();
}

StatusOr<RangeBounds<uint64_t>> ParseValuesCount(const Json& j, const std::string& where) {
  static constexpr const char* kBounds[] = {"lt", "gt", "gte", "lte"};
  if (!j.is_object()) return Bad(where, "expected an object with `lt`, `gt`, `gte`, `lte`");
  RangeBounds<uint64_t> r;
  std::optional<uint64_t>* slots[] = {&r.lt, &r.gt, &r.gte, &r.lte};
  for (size_t i = 0; i < 4; ++i) {
    const Json* v = Opt(j, kBounds[i]);
    if (v == nullptr) continue;
    QUIVER_ASSIGN_OR_RETURN(*slots[i], ParseCount(*v, Join(where, kBounds[i])));
  }
  return r;
}

// ---- geo ----

StatusOr<GeoPoint> ParseGeoPoint(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "expected a geo point {\"lon\": ..., \"lat\": ...}");
  GeoPoint p;
  QUIVER_ASSIGN_OR_RETURN(p.lon, RequiredNumber(j, "lon", where));
  QUIVER_ASSIGN_OR_RETURN(p.lat, RequiredNumber(j, "lat", where));
  if (!(p.lon >= -180 && p.lon <= 180) || !(p.lat >= -90 && p.lat <= 90)) {
    return Bad(where, "Wrong format of GeoPoint payload: expected `lat` = " + FormatNumber(p.lat) +
                          " within [-90;90] and `lon` = " + FormatNumber(p.lon) +
                          " within [-180;180]");
  }
  return p;
}

StatusOr<GeoPoint> RequiredGeoPoint(const Json& object, std::string_view name,
                                    const std::string& where) {
  const Json* m = object.Find(name);
  if (m == nullptr) return Bad(where, "missing field `" + std::string(name) + "`");
  return ParseGeoPoint(*m, Join(where, name));
}

// A GeoLineString {"points": [...]} that must form a closed ring of at least 4 points.
StatusOr<std::vector<GeoPoint>> ParseRing(const Json& j, const std::string& where) {
  if (!j.is_object()) return Bad(where, "expected an object {\"points\": [...]}");
  const Json* points = j.Find("points");
  if (points == nullptr) return Bad(where, "missing field `points`");
  if (!points->is_array()) return Bad(Join(where, "points"), "expected a list of geo points");
  std::vector<GeoPoint> ring;
  for (size_t i = 0; i < points->as_array().size(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(GeoPoint p,
                            ParseGeoPoint(points->as_array()[i], At(Join(where, "points"), i)));
    ring.push_back(p);
  }
  if (ring.size() <= 3) {
    return Bad(where,
               "polygon invalid, the size must be at least 4, got " + std::to_string(ring.size()));
  }
  const GeoPoint& first = ring.front();
  const GeoPoint& last = ring.back();
  if (std::fabs(first.lat - last.lat) > DBL_EPSILON ||
      std::fabs(first.lon - last.lon) > DBL_EPSILON) {
    return Bad(where,
               "polygon invalid, the first and the last points should be the same to form a "
               "closed line");
  }
  // Within epsilon but not equal: close it exactly, as geo's Polygon::new does.
  if (first.lat != last.lat || first.lon != last.lon) ring.push_back(first);
  return ring;
}

StatusOr<GeoPolygon> ParseGeoPolygon(const Json& j, const std::string& where) {
  if (!j.is_object())
    return Bad(where, "expected an object {\"exterior\": ..., \"interiors\": ...}");
  GeoPolygon polygon;
  const Json* exterior = j.Find("exterior");
  if (exterior == nullptr) return Bad(where, "missing field `exterior`");
  QUIVER_ASSIGN_OR_RETURN(polygon.exterior, ParseRing(*exterior, Join(where, "exterior")));
  if (const Json* interiors = Opt(j, "interiors")) {
    std::string at = Join(where, "interiors");
    if (!interiors->is_array()) return Bad(at, "expected a list of line strings");
    for (size_t i = 0; i < interiors->as_array().size(); ++i) {
      QUIVER_ASSIGN_OR_RETURN(std::vector<GeoPoint> ring,
                              ParseRing(interiors->as_array()[i], At(at, i)));
      polygon.interiors.push_back(std::move(ring));
    }
  }
  return polygon;
}

}  // namespace

Status ParseFieldBody(const Json& j, const std::string& where, FieldCondition* fc) {
  QUIVER_ASSIGN_OR_RETURN(fc->key, ParsePath(*j.Find("key"), Join(where, "key")));
  if (const Json* v = Opt(j, "match")) {
    QUIVER_ASSIGN_OR_RETURN(fc->match, ParseMatch(*v, Join(where, "match")));
  }
  if (const Json* v = Opt(j, "range")) {
    QUIVER_RETURN_IF_ERROR(ParseRange(*v, Join(where, "range"), fc));
  }
  if (const Json* v = Opt(j, "geo_bounding_box")) {
    std::string at = Join(where, "geo_bounding_box");
    if (!v->is_object()) return Bad(at, "expected an object {\"top_left\", \"bottom_right\"}");
    GeoBoundingBox box;
    QUIVER_ASSIGN_OR_RETURN(box.top_left, RequiredGeoPoint(*v, "top_left", at));
    QUIVER_ASSIGN_OR_RETURN(box.bottom_right, RequiredGeoPoint(*v, "bottom_right", at));
    fc->geo_bounding_box = box;
  }
  if (const Json* v = Opt(j, "geo_radius")) {
    std::string at = Join(where, "geo_radius");
    if (!v->is_object()) return Bad(at, "expected an object {\"center\", \"radius\"}");
    GeoRadius radius;
    QUIVER_ASSIGN_OR_RETURN(radius.center, RequiredGeoPoint(*v, "center", at));
    QUIVER_ASSIGN_OR_RETURN(radius.radius_m, RequiredNumber(*v, "radius", at));
    fc->geo_radius = radius;
  }
  if (const Json* v = Opt(j, "geo_polygon")) {
    QUIVER_ASSIGN_OR_RETURN(fc->geo_polygon, ParseGeoPolygon(*v, Join(where, "geo_polygon")));
  }
  if (const Json* v = Opt(j, "values_count")) {
    QUIVER_ASSIGN_OR_RETURN(fc->values_count, ParseValuesCount(*v, Join(where, "values_count")));
  }
  for (auto [name, slot] : {std::pair{"is_empty", &fc->is_empty}, {"is_null", &fc->is_null}}) {
    const Json* v = Opt(j, name);
    if (v == nullptr) continue;
    if (!v->is_bool()) return Bad(Join(where, name), "expected a boolean");
    *slot = v->as_bool();
  }
  return Status::Ok();
}

}  // namespace quiver::filter_parse_internal
