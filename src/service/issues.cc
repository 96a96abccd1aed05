#include "service/issues.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace quiver {

bool IssueRegistry::Submit(IssueRecord record) {
  std::lock_guard lock(mu_);
  std::string id = record.id;
  return issues_.emplace(std::move(id), std::move(record)).second;
}

bool IssueRegistry::Solve(const std::string& id) {
  std::lock_guard lock(mu_);
  return issues_.erase(id) > 0;
}

void IssueRegistry::SolveCollection(const std::string& collection) {
  std::lock_guard lock(mu_);
  std::erase_if(issues_,
                [&](const auto& entry) { return entry.second.related_collection == collection; });
}

void IssueRegistry::Clear() {
  std::lock_guard lock(mu_);
  issues_.clear();
}

std::vector<IssueRecord> IssueRegistry::All() const {
  std::lock_guard lock(mu_);
  std::vector<IssueRecord> out;
  out.reserve(issues_.size());
  for (const auto& [id, record] : issues_) out.push_back(record);
  return out;
}

std::string UnindexedFieldIssueId(const std::string& collection, const std::string& field) {
  std::string id = kUnindexedFieldIssue;
  id.append("/").append(collection).append("/").append(field);
  return id;
}

namespace {

// Qdrant's FieldIndexType: what an index can do. The enumerator order is the order in which
// solutions are proposed.
enum class IndexKind {
  kIntMatch,
  kIntRange,
  kKeywordMatch,
  kKeywordPrefix,
  kFloatRange,
  kText,
  kTextPhrase,
  kBoolMatch,
  kUuidMatch,
  kUuidRange,
  kDatetimeRange,
  kGeo,
};
using Kinds = std::set<IndexKind>;

const Kinds kAnyIndex = {
    IndexKind::kIntMatch,      IndexKind::kIntRange,      IndexKind::kKeywordMatch,
    IndexKind::kKeywordPrefix, IndexKind::kFloatRange,    IndexKind::kText,
    IndexKind::kTextPhrase,    IndexKind::kBoolMatch,     IndexKind::kUuidMatch,
    IndexKind::kUuidRange,     IndexKind::kDatetimeRange, IndexKind::kGeo,
};

// The payload index type that provides a kind; "" for uuid, which Qdrant never proposes (an
// "advanced" type whose values it cannot infer from a filter).
const char* SchemaFor(IndexKind kind) {
  switch (kind) {
    case IndexKind::kIntMatch:
    case IndexKind::kIntRange:
      return "integer";
    case IndexKind::kKeywordMatch:
    case IndexKind::kKeywordPrefix:
      return "keyword";
    case IndexKind::kFloatRange:
      return "float";
    case IndexKind::kText:
    case IndexKind::kTextPhrase:
      return "text";
    case IndexKind::kBoolMatch:
      return "bool";
    case IndexKind::kUuidMatch:
    case IndexKind::kUuidRange:
      return "";
    case IndexKind::kDatetimeRange:
      return "datetime";
    case IndexKind::kGeo:
      return "geo";
  }
  return "";
}

bool IsUuid(const std::string& s) {
  // 8-4-4-4-12 hex digits, or 32 hex digits (both parse as a UUID in Qdrant).
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (s.size() == 32) return std::all_of(s.begin(), s.end(), hex);
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !hex(s[i])) return false;
  }
  return true;
}

// What a match condition needs (infer_index_from_match_value / _any_variants).
Kinds KindsOfMatch(const Json& match) {
  if (const Json* v = match.Find("value")) {
    if (v->is_string()) {
      if (IsUuid(v->as_string())) return {IndexKind::kUuidMatch, IndexKind::kKeywordMatch};
      return {IndexKind::kKeywordMatch};
    }
    if (v->is_integer()) return {IndexKind::kIntMatch};
    if (v->is_bool()) return {IndexKind::kBoolMatch};
    return {};
  }
  if (match.Find("text") || match.Find("text_any")) return {IndexKind::kText};
  if (match.Find("phrase")) return {IndexKind::kTextPhrase};
  if (match.Find("prefix")) return {IndexKind::kKeywordPrefix};
  const Json* list = match.Find("any");
  if (list == nullptr) list = match.Find("except");
  if (list == nullptr || !list->is_array() || list->size() == 0) return {};  // a no-op
  const Json& first = list->as_array().front();
  if (first.is_integer()) return {IndexKind::kIntMatch};
  if (!first.is_string()) return {};
  bool all_uuid = true;
  for (const Json& s : list->as_array())
    all_uuid = all_uuid && s.is_string() && IsUuid(s.as_string());
  if (all_uuid) return {IndexKind::kUuidMatch, IndexKind::kKeywordMatch};
  return {IndexKind::kKeywordMatch};
}

// What a field condition needs (infer_index_from_field_condition).
Kinds KindsOfFieldCondition(const Json& condition) {
  Kinds kinds;
  if (const Json* match = condition.Find("match"); match && match->is_object()) {
    kinds.merge(KindsOfMatch(*match));
  }
  if (const Json* range = condition.Find("range"); range && range->is_object()) {
    bool datetime = false;
    for (const auto& [bound, value] : range->as_object()) datetime = datetime || value.is_string();
    if (datetime) {
      kinds.insert(IndexKind::kDatetimeRange);
    } else {
      kinds.insert({IndexKind::kFloatRange, IndexKind::kIntRange});
    }
  }
  for (const char* geo : {"geo_bounding_box", "geo_radius", "geo_polygon"}) {
    if (condition.Find(geo)) kinds.insert(IndexKind::kGeo);
  }
  for (const char* any : {"values_count", "is_empty", "is_null"}) {
    if (condition.Find(any)) kinds.insert(kAnyIndex.begin(), kAnyIndex.end());
  }
  return kinds;
}

// What an existing payload index can do (schema_capabilities).
Kinds Capabilities(const Json& index) {
  const Json* type = index.Find("data_type");
  if (type == nullptr || !type->is_string()) return {};
  const Json* params = index.Find("params");
  auto flag = [&](const char* name, bool fallback) {
    const Json* v = params ? params->Find(name) : nullptr;
    return v && v->is_bool() ? v->as_bool() : fallback;
  };
  const std::string& t = type->as_string();
  if (t == "keyword") {
    if (flag("prefix", false)) return {IndexKind::kKeywordMatch, IndexKind::kKeywordPrefix};
    return {IndexKind::kKeywordMatch};
  }
  if (t == "integer") {
    Kinds k;
    if (flag("lookup", true)) k.insert(IndexKind::kIntMatch);
    if (flag("range", true)) k.insert(IndexKind::kIntRange);
    return k;
  }
  if (t == "uuid") return {IndexKind::kUuidMatch, IndexKind::kUuidRange};
  if (t == "bool") return {IndexKind::kBoolMatch};
  if (t == "float") return {IndexKind::kFloatRange};
  if (t == "geo") return {IndexKind::kGeo};
  if (t == "text") {
    if (flag("phrase_matching", false)) return {IndexKind::kText, IndexKind::kTextPhrase};
    return {IndexKind::kText};
  }
  if (t == "datetime") return {IndexKind::kDatetimeRange};
  return {};
}

class Extractor {
 public:
  explicit Extractor(const Json& payload_schema) : schema_(payload_schema) {}

  void Filter(const std::string& prefix, const Json& filter) {
    if (!filter.is_object()) return;
    for (const char* clause : {"must", "should", "must_not"}) {
      if (const Json* c = filter.Find(clause)) Conditions(prefix, *c);
    }
    if (const Json* m = filter.Find("min_should"); m && m->is_object()) {
      if (const Json* c = m->Find("conditions")) Conditions(prefix, *c);
    }
  }

  std::map<std::string, Kinds>& unindexed() { return unindexed_; }

 private:
  // A clause is a list of conditions or a single one (Qdrant accepts both).
  void Conditions(const std::string& prefix, const Json& clause) {
    if (clause.is_array()) {
      for (const Json& c : clause.as_array()) Condition(prefix, c);
    } else {
      Condition(prefix, clause);
    }
  }

  static std::string Join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  }

  void Condition(const std::string& prefix, const Json& c) {
    if (!c.is_object()) return;
    if (const Json* key = c.Find("key"); key && key->is_string()) {
      Need(Join(prefix, key->as_string()), KindsOfFieldCondition(c));
      return;
    }
    for (const char* name : {"is_empty", "is_null"}) {
      if (const Json* inner = c.Find(name); inner && inner->is_object()) {
        if (const Json* key = inner->Find("key"); key && key->is_string()) {
          Need(Join(prefix, key->as_string()), kAnyIndex);
        }
        return;
      }
    }
    if (const Json* nested = c.Find("nested"); nested && nested->is_object()) {
      const Json* key = nested->Find("key");
      const Json* filter = nested->Find("filter");
      if (key && key->is_string() && filter) Filter(Join(prefix, key->as_string() + "[]"), *filter);
      return;
    }
    if (c.Find("must") || c.Find("should") || c.Find("must_not") || c.Find("min_should")) {
      Filter(prefix, c);
    }
    // has_id, has_vector, slice: no index helps.
  }

  void Need(const std::string& field, const Kinds& required) {
    if (required.empty()) return;  // e.g. `any: []`: a no-op needs no index
    if (const Json* index = schema_.Find(field)) {
      Kinds have = Capabilities(*index);
      for (IndexKind k : required) {
        if (have.count(k)) return;
      }
    }
    unindexed_[field].insert(required.begin(), required.end());
  }

  const Json& schema_;
  std::map<std::string, Kinds> unindexed_;
};

// urlencoding::encode: everything but ASCII letters, digits and -_.~ is percent-encoded.
std::string PercentEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out.append(buf);
    }
  }
  return out;
}

Json Solution(const std::string& collection, const std::string& field,
              const std::vector<std::string>& schemas) {
  Json choices = Json::MakeArray();
  for (const std::string& schema : schemas) {
    std::string message = "Create an index on field '";
    message.append(field).append("' of schema \"").append(schema).append("\" in collection '");
    message.append(collection)
        .append(
            "'. Check the documentation for more details: "
            "https://qdrant.tech/documentation/concepts/indexing/#payload-index");
    Json action(Json::Object{
        {"method", Json("PUT")},
        {"uri", Json("/collections/" + PercentEncode(collection) + "/index")},
        {"headers", Json(Json::Object{{"content-type", Json("application/json")}})},
        {"body", Json(Json::Object{{"field_name", Json(field)}, {"field_schema", Json(schema)}})},
    });
    choices.Push(Json(Json::Object{{"message", Json(message)}, {"action", std::move(action)}}));
  }
  if (choices.size() == 1) {
    return Json(Json::Object{{"immediate", std::move(choices.as_array().front())}});
  }
  return Json(Json::Object{{"immediate_choice", std::move(choices)}});
}

}  // namespace

std::vector<IssueRecord> UnindexedFieldIssues(const std::string& collection, const Json& filter,
                                              const Json& payload_schema, int64_t now_ms) {
  Extractor extractor(payload_schema);
  extractor.Filter("", filter);
  std::vector<IssueRecord> issues;
  for (const auto& [field, kinds] : extractor.unindexed()) {
    std::vector<std::string> schemas;
    for (IndexKind k : kinds) {
      std::string schema = SchemaFor(k);
      if (!schema.empty() && std::find(schemas.begin(), schemas.end(), schema) == schemas.end()) {
        schemas.push_back(schema);
      }
    }
    if (schemas.empty()) continue;  // only uuid would serve it: Qdrant raises nothing
    IssueRecord r;
    r.id = UnindexedFieldIssueId(collection, field);
    r.description = "Unindexed field '" + field + "' might be slowing queries down in collection '";
    r.description.append(collection).append("'");
    r.solution = Solution(collection, field, schemas);
    r.timestamp_ms = now_ms;
    r.related_collection = collection;
    issues.push_back(std::move(r));
  }
  return issues;
}

}  // namespace quiver
