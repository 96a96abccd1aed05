// Collection reads that do not score vectors: retrieve, scroll, count, info (facet and order_by
// in collection_indexed.cc).
#include <algorithm>
#include <optional>
#include <mutex>

#include "collection/collection.h"
#include "collection/point_codec.h"

namespace quiver {
namespace {

// The part of `value` that a dotted path selects, keeping the objects (and, for `key[]`, the
// arrays) on the way: include "a.b[].c" keeps {"a": {"b": [{"c": ...}, ...]}}.
std::optional<Json> Project(const Json& value, std::string_view path) {
  if (path.empty()) return value;
  size_t dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  std::string_view rest = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  bool each = head.size() > 2 && head.substr(head.size() - 2) == "[]";
  if (each) head.remove_suffix(2);
  const Json* child = value.Find(head);
  if (child == nullptr) return std::nullopt;
  Json picked;
  if (each) {
    if (!child->is_array()) return std::nullopt;
    picked = Json::MakeArray();
    for (const Json& element : child->as_array()) {
      if (auto part = Project(element, rest)) picked.Push(std::move(*part));
    }
  } else if (auto part = Project(*child, rest)) {
    picked = std::move(*part);
  } else {
    return std::nullopt;
  }
  return Json(Json::Object{{std::string(head), std::move(picked)}});
}

// Merges a projection into the result, so that two paths under one key both survive.
void MergeProjection(Json* into, const Json& part) {
  for (const auto& [k, v] : part.as_object()) {
    Json* existing = into->Find(k);
    if (existing && existing->is_object() && v.is_object()) MergeProjection(existing, v);
    else into->Set(k, v);
  }
}

void IncludePath(const Json& src, std::string_view path, Json* dst) {
  if (auto part = Project(src, path); part && part->is_object()) MergeProjection(dst, *part);
}

Json SelectPayload(const Json& payload, const PayloadSelector& selector) {
  switch (selector.mode) {
    case PayloadSelector::Mode::kAll:
    case PayloadSelector::Mode::kNone:
      return payload;
    case PayloadSelector::Mode::kInclude: {
      Json out = Json::MakeObject();
      for (const std::string& p : selector.paths) IncludePath(payload, p, &out);
      return out;
    }
    case PayloadSelector::Mode::kExclude: {
      Json out = payload;
      for (const std::string& p : selector.paths) {
        auto path = PayloadPath::Parse(p);
        if (path.ok()) DeletePayloadAtPath(&out, *path);
      }
      return out;
    }
  }
  return payload;
}

}  // namespace

Status Collection::CheckVectorSelector(const VectorSelector& selector) const {
  for (const std::string& name : selector.names) {
    if (!config_.vectors.count(name) && !config_.sparse_vectors.count(name)) {
      return InvalidArgument("Wrong input: Not existing vector name error: " + name);
    }
  }
  return Status::Ok();
}

Status Collection::CheckRangeIndex(const std::string& key) const {
  const PayloadIndexes::Field* field = indexes_.Find(key);
  index::FieldType type = field ? field->index->type() : index::FieldType::kKeyword;
  if (type == index::FieldType::kInteger || type == index::FieldType::kFloat ||
      type == index::FieldType::kDatetime) {
    return Status::Ok();
  }
  return InvalidArgument("Bad request: No range index for `order_by` key: `" + key +
                         "`. Please create one to use `order_by`. Check "
                         "https://qdrant.tech/documentation/concepts/indexing/#payload-index "
                         "to see which payload schemas support Range conditions");
}

bool Collection::HasVector(uint32_t slot, std::string_view name) const {
  if (auto it = dense_.find(std::string(name)); it != dense_.end()) return it->second.present[slot];
  if (auto ot = other_.find(std::string(name)); ot != other_.end()) {
    return ot->second[slot].has_value();
  }
  return false;
}

NamedVectors Collection::VectorsOf(uint32_t slot) const {
  NamedVectors out;
  for (const auto& [name, col] : dense_) {
    if (!col.present[slot]) continue;
    const float* begin = col.data.data() + size_t{slot} * col.dim;
    out.emplace_back(name, DenseVector(begin, begin + col.dim));
  }
  for (const auto& [name, col] : other_) {
    if (col[slot]) out.emplace_back(name, *col[slot]);
  }
  return out;
}

PointOut Collection::Render(uint32_t slot, const PayloadSelector& with_payload,
                            const VectorSelector& with_vector) const {
  PointOut out;
  out.id = slots_[slot].id;
  out.version = slots_[slot].version;
  if (with_payload.mode != PayloadSelector::Mode::kNone) {
    out.payload = SelectPayload(slots_[slot].payload, with_payload);
  }
  if (with_vector.any()) {
    NamedVectors vectors = VectorsOf(slot);
    if (config_.unnamed_vector && with_vector.all && vectors.size() == 1 &&
        vectors[0].first.empty() && config_.sparse_vectors.empty()) {
      out.vector = VectorToJson(vectors[0].second);
    } else {
      Json named = Json::MakeObject();
      for (const auto& [name, value] : vectors) {
        bool wanted = with_vector.all || std::find(with_vector.names.begin(),
                                                   with_vector.names.end(),
                                                   name) != with_vector.names.end();
        if (wanted) named.Set(name, VectorToJson(value));
      }
      // The unnamed vector alone is shown bare, as Qdrant does.
      if (named.size() == 1 && named.as_object()[0].first.empty()) {
        out.vector = named.as_object()[0].second;
      } else {
        out.vector = std::move(named);
      }
    }
  }
  return out;
}

StatusOr<std::vector<PointOut>> Collection::Retrieve(const std::vector<PointId>& ids,
                                                     const PayloadSelector& with_payload,
                                                     const VectorSelector& with_vector) const {
  std::shared_lock lock(mu_);
  QUIVER_RETURN_IF_ERROR(CheckVectorSelector(with_vector));
  std::vector<PointOut> out;
  std::unordered_map<PointId, bool, PointIdHash> seen;
  for (const PointId& id : ids) {
    auto it = offsets_.find(id);
    if (it == offsets_.end() || seen.count(id)) continue;
    seen[id] = true;
    out.push_back(Render(it->second, with_payload, with_vector));
  }
  return out;
}

StatusOr<ScrollResult> Collection::Scroll(const std::optional<Filter>& filter, size_t limit,
                                          const std::optional<PointId>& offset,
                                          const std::optional<OrderBy>& order_by,
                                          const PayloadSelector& with_payload,
                                          const VectorSelector& with_vector) const {
  std::shared_lock lock(mu_);
  QUIVER_RETURN_IF_ERROR(CheckVectorSelector(with_vector));
  ScrollResult result;
  if (order_by) return ScrollOrdered(filter, limit, *order_by, with_payload, with_vector);
  std::vector<uint32_t> matching;
  ForEachMatch(PrepareFilter(filter), [&](uint32_t s) {
    if (!offset || !(slots_[s].id < *offset)) matching.push_back(s);
  });
  auto by_id = [&](uint32_t a, uint32_t b) { return slots_[a].id < slots_[b].id; };
  if (matching.size() > limit) {
    std::partial_sort(matching.begin(), matching.begin() + limit + 1, matching.end(), by_id);
    result.next_page_offset = slots_[matching[limit]].id;
    matching.resize(limit);
  } else {
    std::sort(matching.begin(), matching.end(), by_id);
  }
  for (uint32_t s : matching) result.points.push_back(Render(s, with_payload, with_vector));
  return result;
}

size_t Collection::Count(const std::optional<Filter>& filter) const {
  std::shared_lock lock(mu_);
  if (!filter) return offsets_.size();
  size_t n = 0;
  ForEachMatch(PrepareFilter(filter), [&](uint32_t) { ++n; });
  return n;
}

StatusOr<VectorValue> Collection::VectorAt(uint32_t slot, const std::string& name) const {
  if (auto it = dense_.find(name); it != dense_.end()) {
    if (!it->second.present[slot]) {
      return InvalidArgument("Wrong input: Vector `" + name + "` is missing for point " +
                             slots_[slot].id.ToString());
    }
    const float* begin = it->second.data.data() + size_t{slot} * it->second.dim;
    return VectorValue(DenseVector(begin, begin + it->second.dim));
  }
  if (auto ot = other_.find(name); ot != other_.end()) {
    if (!ot->second[slot]) {
      return InvalidArgument("Wrong input: Vector `" + name + "` is missing for point " +
                             slots_[slot].id.ToString());
    }
    return *ot->second[slot];
  }
  return InvalidArgument("Wrong input: Not existing vector name error: " + name);
}

StatusOr<VectorValue> Collection::GetVector(const PointId& id, const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = offsets_.find(id);
  if (it == offsets_.end()) return NotFound("No point with id " + id.ToString() + " found");
  return VectorAt(it->second, name);
}

Json Collection::Info() const {
  std::shared_lock lock(mu_);
  Json info = Json::MakeObject();
  info.Set("status", StatusColor());
  info.Set("optimizer_status", "ok");
  uint64_t indexed = 0;
  for (const auto& [name, col] : dense_) indexed += col.index->fresh().cardinality();
  info.Set("indexed_vectors_count", Json(indexed));
  info.Set("points_count", Json(static_cast<uint64_t>(offsets_.size())));
  info.Set("segments_count", Json(1));
  info.Set("config", config_.ToInfoJson());
  Json schema = Json::MakeObject();
  for (const PayloadIndexes::Field& field : indexes_.fields()) {
    Json entry = field.schema;
    entry.Set("points", Json(field.index->points_count()));
    schema.Set(field.name, entry);
  }
  info.Set("payload_schema", schema);
  return info;
}

}  // namespace quiver
