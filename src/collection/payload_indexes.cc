// PayloadIndexes: fields, value extraction and upkeep (filters: payload_indexes_filter.cc).
#include "collection/payload_indexes.h"

#include <algorithm>

#include "collection/point_id.h"
#include "index/payload_index_ordered.h"
#include "index/payload_index_text.h"

namespace quiver {
namespace {

using index::FieldType;

// The typed values of `payload` at `path` for an index of type `type`.
index::FieldValues Extract(FieldType type, const Json& payload, const PayloadPath& path) {
  index::FieldValues out;
  for (const Json* v : ValuesAtPath(payload, path)) {
    if (v->is_null()) continue;
    bool stored = false;
    switch (type) {
      case FieldType::kKeyword:
      case FieldType::kText:
        if ((stored = v->is_string())) out.strings.push_back(v->as_string());
        break;
      case FieldType::kUuid:
        if (v->is_string()) {
          auto id = PointId::FromString(v->as_string());
          if ((stored = id.ok() && id->is_uuid)) out.strings.push_back(id->ToString());
        }
        break;
      case FieldType::kInteger:
        if ((stored = v->type() == Json::Type::kInt)) out.ints.push_back(v->as_int());
        break;
      case FieldType::kFloat:
        if ((stored = v->is_number())) out.floats.push_back(v->as_double());
        break;
      case FieldType::kBool:
        if ((stored = v->is_bool())) out.bools.push_back(v->as_bool());
        break;
      case FieldType::kDatetime:
        if (v->is_string()) {
          std::optional<Datetime> dt = ParseDatetime(v->as_string());
          if ((stored = dt.has_value())) out.datetimes.push_back(ToDatetimeKey(*dt));
        }
        break;
      case FieldType::kGeo: {
        const Json* lon = v->Find("lon");
        const Json* lat = v->Find("lat");
        if ((stored = lon && lat && lon->is_number() && lat->is_number())) {
          out.geos.push_back({lon->as_double(), lat->as_double()});
        }
        break;
      }
    }
    if (!stored) out.other = true;
  }
  return out;
}

}  // namespace

std::optional<index::FieldType> FieldTypeOf(std::string_view t) {
  if (t == "keyword") return FieldType::kKeyword;
  if (t == "integer") return FieldType::kInteger;
  if (t == "float") return FieldType::kFloat;
  if (t == "bool") return FieldType::kBool;
  if (t == "uuid") return FieldType::kUuid;
  if (t == "datetime") return FieldType::kDatetime;
  if (t == "geo") return FieldType::kGeo;
  if (t == "text") return FieldType::kText;
  return std::nullopt;
}

StatusOr<PayloadIndexes::Field> PayloadIndexes::MakeField(const std::string& name,
                                                          const Json& schema) {
  Field f;
  f.name = name;
  QUIVER_ASSIGN_OR_RETURN(f.path, PayloadPath::Parse(name));
  f.schema = schema;
  const Json* data_type = schema.Find("data_type");
  std::optional<FieldType> type;
  if (data_type && data_type->is_string()) type = FieldTypeOf(data_type->as_string());
  if (!type) return InvalidArgument("Bad request: unknown payload index type");
  const Json* params = schema.Find("params");
  Json no_params;
  if (params == nullptr) params = &no_params;
  if (*type == FieldType::kText) {
    QUIVER_ASSIGN_OR_RETURN(index::TextIndexParams text, index::ParseTextIndexParams(*params));
    f.index = std::make_unique<index::TextIndex>(
        std::make_shared<const index::Tokenizer>(std::move(text)));
  } else {
    f.index = index::MakeFieldIndex(*type);
  }
  if (*type == FieldType::kInteger) {
    const Json* lookup = params->Find("lookup");
    const Json* range = params->Find("range");
    if (lookup && lookup->is_bool()) f.lookup = lookup->as_bool();
    if (range && range->is_bool()) f.range = range->as_bool();
  }
  return f;
}

void PayloadIndexes::IndexSlot(Field* field, uint32_t slot, const Json& payload) {
  field->index->Set(slot, Extract(field->index->type(), payload, field->path));
}

void PayloadIndexes::Put(Field field) {
  for (Field& f : fields_) {
    if (f.name == field.name) {
      f = std::move(field);
      return;
    }
  }
  fields_.push_back(std::move(field));
}

void PayloadIndexes::Drop(const std::string& name) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return f.name == name; }),
                fields_.end());
}

void PayloadIndexes::Update(uint32_t slot, const Json* payload) {
  for (Field& f : fields_) {
    if (payload == nullptr)
      f.index->Remove(slot);
    else
      IndexSlot(&f, slot, *payload);
  }
}

const PayloadIndexes::Field* PayloadIndexes::Find(std::string_view name) const {
  for (const Field& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const PayloadIndexes::Field* PayloadIndexes::FindPath(const PayloadPath& path) const {
  for (const Field& f : fields_) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

}  // namespace quiver
