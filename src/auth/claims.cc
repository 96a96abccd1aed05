#include "auth/claims.h"

#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace quiver::auth {
namespace {

Status Shape(std::string what) { return InvalidArgument("invalid JWT claims: " + std::move(what)); }

// Member `key` of `obj` treating JSON null as absent (serde's Option).
const Json* Present(const Json& obj, std::string_view key) {
  const Json* v = obj.Find(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

StatusOr<std::optional<std::string>> OptionalString(const Json& obj, std::string_view key) {
  const Json* v = Present(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Shape(std::string(key) + " must be a string");
  return std::optional<std::string>(v->as_string());
}

StatusOr<CollectionAccess> ParseMode(const Json& v) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s == "r") return CollectionAccess::kRead;
    if (s == "rw") return CollectionAccess::kReadWrite;
    if (s == "prw") return CollectionAccess::kPointsReadWrite;
  }
  return Shape("collection access must be \"r\", \"rw\" or \"prw\"");
}

// Qdrant's CollectionAccessList plus its validation (validate_unique_collections,
// validate_payload_empty), rendered as validator 0.20 prints nested list errors.
Status ParseAccessList(const Json& list, ParsedClaims* out) {
  std::set<std::string> seen;
  const Json::Array& items = list.as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    const Json& item = items[i];
    if (!item.is_object()) return Shape("access entries must be objects");
    const Json* collection = item.Find("collection");
    const Json* mode = item.Find("access");
    if (collection == nullptr || !collection->is_string()) {
      return Shape("access entries need a string `collection`");
    }
    if (mode == nullptr) return Shape("access entries need `access`");
    QUIVER_ASSIGN_OR_RETURN(CollectionAccess access, ParseMode(*mode));
    out->access.collections.emplace_back(collection->as_string(), access);

    const std::string prefix = "access[" + std::to_string(i) + "].";
    if (!seen.insert(collection->as_string()).second) {
      out->validation_error += prefix + "collection: Collection name should be unique";
    }
    if (Present(item, "payload") != nullptr) {
      out->validation_error +=
          prefix + "payload: The 'payload' constraint is deprecated and should not be used";
    }
  }
  return Status::Ok();
}

// {"name": ["read", "write"], ...}
Status ParseSeedCollections(const Json& collections, ParsedClaims* out) {
  if (!collections.is_object()) return Shape("`collections` must be an object");
  for (const auto& [name, rights] : collections.as_object()) {
    if (!rights.is_array() || rights.size() == 0) {
      return Shape("`collections` values must be non-empty lists");
    }
    bool read = false;
    bool write = false;
    for (const Json& r : rights.as_array()) {
      if (r.is_string() && r.as_string() == "read") {
        read = true;
      } else if (r.is_string() && r.as_string() == "write") {
        write = true;
      } else {
        return Shape("`collections` rights must be \"read\" or \"write\"");
      }
    }
    if (!read) return Shape("a `collections` grant must include \"read\"");
    if (out->access.Find(name) != nullptr) return Shape("`collections` names a collection twice");
    out->access.collections.emplace_back(
        name, write ? CollectionAccess::kReadWrite : CollectionAccess::kRead);
  }
  return Status::Ok();
}

Status ParseAccess(const Json& claims, ParsedClaims* out) {
  const Json* access = claims.Find("access");  // present-but-null is an error, as in serde
  const Json* seed = Present(claims, "collections");
  if (seed != nullptr) {
    if (access != nullptr) return Shape("`access` and `collections` are exclusive");
    out->access.global = Access::Global::kNone;
    return ParseSeedCollections(*seed, out);
  }
  if (access == nullptr) {
    out->access.global = Access::Global::kManage;
    return Status::Ok();
  }
  if (access->is_string()) {
    if (access->as_string() == "r") {
      out->access.global = Access::Global::kRead;
      return Status::Ok();
    }
    if (access->as_string() == "m") {
      out->access.global = Access::Global::kManage;
      return Status::Ok();
    }
    return Shape("global access must be \"r\" or \"m\"");
  }
  out->access.global = Access::Global::kNone;
  if (access->is_array()) return ParseAccessList(*access, out);
  if (access->is_object() && access->size() == 1 && access->Find("collections") != nullptr) {
    return ParseSeedCollections(*access->Find("collections"), out);
  }
  return Shape("`access` must be \"r\", \"m\" or a list of collection grants");
}

// Qdrant's ValueExists { collection: String, matches: Vec<{key: JsonPath, value: ValueVariants}> }
// where ValueVariants is a string, an i64 or a bool.
StatusOr<std::optional<ValueExists>> ParseValueExists(const Json& claims) {
  const Json* v = Present(claims, "value_exists");
  if (v == nullptr) return std::optional<ValueExists>();
  if (!v->is_object()) return Shape("`value_exists` must be an object");
  const Json* collection = v->Find("collection");
  const Json* matches = v->Find("matches");
  if (collection == nullptr || !collection->is_string()) {
    return Shape("`value_exists.collection` must be a string");
  }
  if (matches == nullptr || !matches->is_array()) {
    return Shape("`value_exists.matches` must be a list");
  }
  ValueExists out{collection->as_string(), Json::MakeArray()};
  for (const Json& m : matches->as_array()) {
    const Json* key = m.is_object() ? m.Find("key") : nullptr;
    const Json* value = m.is_object() ? m.Find("value") : nullptr;
    if (key == nullptr || !key->is_string() || key->as_string().empty()) {
      return Shape("`value_exists.matches` entries need a non-empty string `key`");
    }
    const bool scalar = value != nullptr && (value->is_string() || value->is_bool() ||
                                             value->type() == Json::Type::kInt);
    if (!scalar) return Shape("`value_exists.matches` values must be strings, integers or bools");
    out.matches.Push(Json(Json::Object{{"key", *key}, {"value", *value}}));
  }
  return std::optional<ValueExists>(std::move(out));
}

}  // namespace

StatusOr<ParsedClaims> ParseClaims(const Json& claims) {
  if (!claims.is_object()) return Shape("the payload must be a JSON object");
  ParsedClaims out;
  out.access.method = AuthMethod::kJwt;

  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> sub, OptionalString(claims, "sub"));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> subject, OptionalString(claims, "subject"));
  out.access.subject = subject ? *subject : sub.value_or("");

  if (const Json* exp = Present(claims, "exp")) {
    if (exp->type() == Json::Type::kUInt) {
      out.exp = exp->as_uint();
    } else if (exp->type() == Json::Type::kInt && exp->as_int() >= 0) {
      out.exp = static_cast<uint64_t>(exp->as_int());
    } else {
      return Shape("`exp` must be a non-negative integer");
    }
  }

  QUIVER_RETURN_IF_ERROR(ParseAccess(claims, &out));
  QUIVER_ASSIGN_OR_RETURN(out.access.value_exists, ParseValueExists(claims));
  return out;
}

}  // namespace quiver::auth
