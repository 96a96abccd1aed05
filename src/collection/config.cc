#include "collection/config.h"

namespace quiver {
namespace {

Status ExpectObject(const Json& j, const std::string& what) {
  if (!j.is_object()) return InvalidArgument("Format error in JSON body: " + what + " must be an object");
  return Status::Ok();
}

StatusOr<uint64_t> ReadUint(const Json& j, const std::string& what) {
  if (j.type() != Json::Type::kInt || j.as_int() < 0) {
    return InvalidArgument("Format error in JSON body: " + what +
                           " must be a non-negative integer");
  }
  return static_cast<uint64_t>(j.as_int());
}

// Checks that each member of `config` that Qdrant types as a number is one.
Status CheckNumbers(const Json& config, const std::string& what) {
  QUIVER_RETURN_IF_ERROR(ExpectObject(config, what));
  for (const auto& [k, v] : config.as_object()) {
    if (!v.is_null() && !v.is_number() && !v.is_bool() && !v.is_object() && !v.is_string()) {
      return InvalidArgument("Format error in JSON body: " + what + "." + k + ": invalid type");
    }
    if (v.type() == Json::Type::kInt && v.as_int() < 0) {
      // Unsigned integer fields: Qdrant's deserializer refuses a negative one (400).
      return InvalidArgument("Format error in JSON body: " + what + "." + k +
                             ": invalid value: integer `" + v.Dump() + "`, expected u64");
    }
    if (v.is_number() && v.as_double() < 0) {
      return Unprocessable(what + "." + k +
                             ": value must be non-negative");
    }
  }
  return Status::Ok();
}

// Qdrant's HnswConfigDiff limits: ef_construct from 4, full_scan_threshold from 10.
Status CheckHnsw(const Json& config, const std::string& what) {
  QUIVER_RETURN_IF_ERROR(CheckNumbers(config, what));
  for (const auto& [key, min] : {std::pair<const char*, int64_t>{"ef_construct", 4},
                                 std::pair<const char*, int64_t>{"full_scan_threshold", 10}}) {
    const Json* v = config.Find(key);
    if (v && v->is_number() && v->as_double() < static_cast<double>(min)) {
      return Unprocessable(what + "." + key + ": value " + v->Dump() + " invalid, must be " +
                           std::to_string(min) + " or larger");
    }
  }
  return Status::Ok();
}

StatusOr<VectorParams> ParseVectorParams(const Json& j, const std::string& what) {
  QUIVER_RETURN_IF_ERROR(ExpectObject(j, what));
  VectorParams p;
  const Json* size = j.Find("size");
  const Json* distance = j.Find("distance");
  if (size == nullptr) return InvalidArgument("Format error in JSON body: " + what + ": missing field `size`");
  if (distance == nullptr) {
    return InvalidArgument("Format error in JSON body: " + what + ": missing field `distance`");
  }
  QUIVER_ASSIGN_OR_RETURN(p.size, ReadUint(*size, what + ".size"));
  if (p.size == 0 || p.size > 65536) {
    return Unprocessable(what +
                           ".size: value " + std::to_string(p.size) +
                           " invalid, must be from 1 to 65536");
  }
  QUIVER_ASSIGN_OR_RETURN(p.distance, ParseDistance(*distance));
  p.extra = Json::MakeObject();
  for (const auto& [k, v] : j.as_object()) {
    if (k == "size" || k == "distance") continue;
    if (k == "multivector_config") {
      if (v.is_null()) continue;
      const Json* cmp = v.Find("comparator");
      if (cmp == nullptr || !cmp->is_string() || cmp->as_string() != "max_sim") {
        return InvalidArgument("Format error in JSON body: " + what +
                               ".multivector_config: comparator must be `max_sim`");
      }
      p.multivector = true;
    } else if (k == "hnsw_config" || k == "quantization_config") {
      if (!v.is_null()) QUIVER_RETURN_IF_ERROR(ExpectObject(v, what + "." + k));
    } else if (k == "on_disk") {
      if (!v.is_null() && !v.is_bool()) {
        return InvalidArgument("Format error in JSON body: " + what + ".on_disk must be a boolean");
      }
    } else if (k == "datatype") {
      if (!v.is_null() && !(v.is_string() && (v.as_string() == "float32" ||
                                              v.as_string() == "float16" ||
                                              v.as_string() == "uint8"))) {
        return InvalidArgument("Format error in JSON body: " + what +
                               ".datatype: unknown variant, expected one of `float32`, "
                               "`uint8`, `float16`");
      }
    } else if (k != "memory") {
      continue;  // Qdrant ignores fields it does not know (serde's default)
    }
    if (!v.is_null()) p.extra.Set(k, v);
  }
  return p;
}

Json VectorParamsToJson(const VectorParams& p) {
  Json j = Json::MakeObject();
  j.Set("size", Json(p.size));
  j.Set("distance", DistanceName(p.distance));
  for (const auto& [k, v] : p.extra.as_object()) j.Set(k, v);
  return j;
}

StatusOr<SparseVectorParams> ParseSparseParams(const Json& j, const std::string& what) {
  SparseVectorParams p;
  p.extra = Json::MakeObject();
  if (j.is_null()) return p;
  QUIVER_RETURN_IF_ERROR(ExpectObject(j, what));
  for (const auto& [k, v] : j.as_object()) {
    if (k == "modifier") {
      if (!v.is_null() && !(v.is_string() && (v.as_string() == "none" || v.as_string() == "idf"))) {
        return InvalidArgument("Format error in JSON body: " + what +
                               ".modifier: unknown variant, expected `none` or `idf`");
      }
    } else if (k == "index") {
      if (!v.is_null()) QUIVER_RETURN_IF_ERROR(ExpectObject(v, what + ".index"));
    } else {
      continue;  // unknown fields are ignored, as in Qdrant
    }
    if (!v.is_null()) p.extra.Set(k, v);
  }
  return p;
}

}  // namespace

StatusOr<Distance> ParseDistance(const Json& j) {
  if (j.is_string()) {
    const std::string& s = j.as_string();
    if (s == "Cosine") return Distance::kCosine;
    if (s == "Euclid") return Distance::kEuclid;
    if (s == "Dot") return Distance::kDot;
    if (s == "Manhattan") return Distance::kManhattan;
  }
  return InvalidArgument("Format error in JSON body: unknown variant `" +
                         (j.is_string() ? j.as_string() : j.Dump()) +
                         "`, expected one of `Cosine`, `Euclid`, `Dot`, `Manhattan`");
}

const char* DistanceName(Distance d) {
  switch (d) {
    case Distance::kCosine: return "Cosine";
    case Distance::kEuclid: return "Euclid";
    case Distance::kDot: return "Dot";
    case Distance::kManhattan: return "Manhattan";
  }
  return "Cosine";
}

CollectionDefaults BuiltinCollectionDefaults() {
  CollectionDefaults d;
  d.hnsw_config = Json(Json::Object{{"m", Json(16)},
                                    {"ef_construct", Json(100)},
                                    {"full_scan_threshold", Json(10000)},
                                    {"max_indexing_threads", Json(0)},
                                    {"on_disk", Json(false)}});
  d.optimizer_config = Json(Json::Object{{"deleted_threshold", Json(0.2)},
                                         {"vacuum_min_vector_number", Json(1000)},
                                         {"default_segment_number", Json(0)},
                                         {"max_segment_size", Json()},
                                         {"memmap_threshold", Json()},
                                         {"indexing_threshold", Json(10000)},
                                         {"flush_interval_sec", Json(5)},
                                         {"max_optimization_threads", Json()}});
  d.wal_config = Json(Json::Object{{"wal_capacity_mb", Json(32)},
                                   {"wal_segments_ahead", Json(0)},
                                   {"wal_retain_closed", Json(1)}});
  d.on_disk_payload = true;
  return d;
}

void MergeObject(Json* base, const Json& patch) {
  if (!patch.is_object()) return;
  if (!base->is_object()) *base = Json::MakeObject();
  for (const auto& [k, v] : patch.as_object()) base->Set(k, v);
}

StatusOr<CollectionConfig> CollectionConfig::FromCreateRequest(const Json& body,
                                                               const CollectionDefaults& defaults) {
  if (!body.is_object() && !body.is_null()) {
    return InvalidArgument("Format error in JSON body: expected an object");
  }
  CollectionConfig c;
  c.hnsw_config = defaults.hnsw_config;
  c.optimizer_config = defaults.optimizer_config;
  c.wal_config = defaults.wal_config;
  c.on_disk_payload = defaults.on_disk_payload;
  if (body.is_null()) return c;
  for (const auto& [k, v] : body.as_object()) {
    if (v.is_null()) continue;
    if (k == "vectors") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, "vectors"));
      const Json* size = v.Find("size");
      if (size != nullptr && size->is_number()) {
        c.unnamed_vector = true;
        QUIVER_ASSIGN_OR_RETURN(c.vectors[""], ParseVectorParams(v, "vectors"));
      } else {
        for (const auto& [name, params] : v.as_object()) {
          QUIVER_ASSIGN_OR_RETURN(c.vectors[name], ParseVectorParams(params, "vectors." + name));
        }
      }
    } else if (k == "sparse_vectors") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, "sparse_vectors"));
      for (const auto& [name, params] : v.as_object()) {
        QUIVER_ASSIGN_OR_RETURN(c.sparse_vectors[name],
                                ParseSparseParams(params, "sparse_vectors." + name));
      }
    } else if (k == "shard_number" || k == "replication_factor" ||
               k == "write_consistency_factor") {
      QUIVER_ASSIGN_OR_RETURN(uint64_t n, ReadUint(v, k));
      if (n == 0) return Unprocessable(k + ": value 0 invalid, must be 1 or more");
      (k == "shard_number" ? c.shard_number
       : k == "replication_factor" ? c.replication_factor
                                   : c.write_consistency_factor) = n;
    } else if (k == "on_disk_payload") {
      if (!v.is_bool()) return InvalidArgument("Format error in JSON body: on_disk_payload must be a boolean");
      c.on_disk_payload = v.as_bool();
    } else if (k == "hnsw_config") {
      QUIVER_RETURN_IF_ERROR(CheckHnsw(v, k));
      MergeObject(&c.hnsw_config, v);
    } else if (k == "optimizers_config") {
      QUIVER_RETURN_IF_ERROR(CheckNumbers(v, k));
      MergeObject(&c.optimizer_config, v);
    } else if (k == "wal_config") {
      QUIVER_RETURN_IF_ERROR(CheckNumbers(v, k));
      MergeObject(&c.wal_config, v);
    } else if (k == "quantization_config" || k == "quantization" ||  // Qdrant's serde alias
               k == "strict_mode_config" || k == "metadata") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, k));
      (k == "quantization_config" || k == "quantization" ? c.quantization_config
       : k == "strict_mode_config" ? c.strict_mode_config
                                   : c.metadata) = v;
    } else if (k == "init_from" || k == "sharding_method" || k == "uuid") {
      // Accepted for compatibility; a single node has nothing to do with them.
    } else {
      // Unknown fields are ignored, as Qdrant's deserializer does.
    }
  }
  return c;
}

Status CollectionConfig::ApplyUpdate(const Json& body) {
  if (!body.is_object()) return InvalidArgument("Format error in JSON body: expected an object");
  CollectionConfig next = *this;
  for (const auto& [k, v] : body.as_object()) {
    if (v.is_null()) continue;
    if (k == "vectors") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, "vectors"));
      for (const auto& [name, diff] : v.as_object()) {
        auto it = next.vectors.find(name);
        if (it == next.vectors.end()) {
          return InvalidArgument("Wrong input: Not existing vector name error: " + name);
        }
        QUIVER_RETURN_IF_ERROR(ExpectObject(diff, "vectors." + name));
        for (const auto& [dk, dv] : diff.as_object()) {
          if (dk != "hnsw_config" && dk != "quantization_config" && dk != "on_disk") continue;
          if (dv.is_null()) continue;
          if (dk == "quantization_config" && dv.is_string() && dv.as_string() == "Disabled") {
            it->second.extra.Erase(dk);
            continue;
          }
          if (dk == "hnsw_config") {
            Json merged = it->second.extra.Find(dk) ? *it->second.extra.Find(dk) : Json::MakeObject();
            MergeObject(&merged, dv);
            it->second.extra.Set(dk, merged);
          } else {
            it->second.extra.Set(dk, dv);
          }
        }
      }
    } else if (k == "sparse_vectors") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, "sparse_vectors"));
      for (const auto& [name, diff] : v.as_object()) {
        auto it = next.sparse_vectors.find(name);
        if (it == next.sparse_vectors.end()) {
          return InvalidArgument("Wrong input: Not existing vector name error: " + name);
        }
        QUIVER_ASSIGN_OR_RETURN(SparseVectorParams p, ParseSparseParams(diff, "sparse_vectors." + name));
        MergeObject(&it->second.extra, p.extra);
      }
    } else if (k == "optimizers_config") {
      QUIVER_RETURN_IF_ERROR(CheckNumbers(v, k));
      MergeObject(&next.optimizer_config, v);
    } else if (k == "hnsw_config") {
      QUIVER_RETURN_IF_ERROR(CheckHnsw(v, k));
      MergeObject(&next.hnsw_config, v);
    } else if (k == "params") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, "params"));
      for (const auto& [pk, pv] : v.as_object()) {
        if (pv.is_null()) continue;
        if (pk == "on_disk_payload") {
          if (!pv.is_bool()) return InvalidArgument("Format error in JSON body: params.on_disk_payload must be a boolean");
          next.on_disk_payload = pv.as_bool();
        } else if (pk == "replication_factor" || pk == "write_consistency_factor") {
          QUIVER_ASSIGN_OR_RETURN(uint64_t n, ReadUint(pv, "params." + pk));
          if (n == 0) return Unprocessable("params." + pk + ": must be 1 or more");
          (pk == "replication_factor" ? next.replication_factor : next.write_consistency_factor) = n;
        }  // other params (read_fan_out_factor, ...) have no effect on a single node
      }
    } else if (k == "quantization_config" || k == "quantization") {
      if (v.is_string() && v.as_string() == "Disabled") {
        next.quantization_config = Json();
      } else {
        QUIVER_RETURN_IF_ERROR(ExpectObject(v, k));
        next.quantization_config = v;
      }
    } else if (k == "strict_mode_config") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, k));
      MergeObject(&next.strict_mode_config, v);
    } else if (k == "metadata") {
      QUIVER_RETURN_IF_ERROR(ExpectObject(v, k));
      if (!next.metadata.is_object()) next.metadata = Json::MakeObject();
      for (const auto& [mk, mv] : v.as_object()) {
        if (mv.is_null()) next.metadata.Erase(mk);  // null deletes a key, as in Qdrant
        else next.metadata.Set(mk, mv);
      }
    } else {
      // Unknown fields are ignored, as Qdrant's deserializer does.
    }
  }
  *this = std::move(next);
  return Status::Ok();
}

Json CollectionConfig::ToInfoJson() const {
  Json params = Json::MakeObject();
  if (unnamed_vector) {
    params.Set("vectors", VectorParamsToJson(vectors.at("")));
  } else {
    Json named = Json::MakeObject();
    for (const auto& [name, p] : vectors) named.Set(name, VectorParamsToJson(p));
    params.Set("vectors", named);
  }
  params.Set("shard_number", Json(shard_number));
  params.Set("replication_factor", Json(replication_factor));
  params.Set("write_consistency_factor", Json(write_consistency_factor));
  params.Set("on_disk_payload", Json(on_disk_payload));
  if (!sparse_vectors.empty()) {
    Json sparse = Json::MakeObject();
    for (const auto& [name, p] : sparse_vectors) sparse.Set(name, p.extra);
    params.Set("sparse_vectors", sparse);
  }
  Json config = Json::MakeObject();
  config.Set("params", params);
  config.Set("hnsw_config", hnsw_config);
  config.Set("optimizer_config", optimizer_config);
  config.Set("wal_config", wal_config);
  config.Set("quantization_config", quantization_config);
  config.Set("strict_mode_config", strict_mode_config.is_null() ? Json(Json::Object{{"enabled", Json(false)}}) : strict_mode_config);
  if (!metadata.is_null()) config.Set("metadata", metadata);
  return config;
}

StatusOr<CollectionConfig> CollectionConfig::FromStoredJson(const Json& stored) {
  const Json* params = stored.Find("params");
  if (params == nullptr) return Internal("stored collection config has no params");
  Json create = Json::MakeObject();
  create.Set("vectors", params->Find("vectors") ? *params->Find("vectors") : Json::MakeObject());
  for (const char* k : {"sparse_vectors", "shard_number", "replication_factor",
                        "write_consistency_factor", "on_disk_payload"}) {
    if (const Json* v = params->Find(k)) create.Set(k, *v);
  }
  CollectionDefaults none;
  QUIVER_ASSIGN_OR_RETURN(CollectionConfig c, FromCreateRequest(create, none));
  c.hnsw_config = stored.Find("hnsw_config") ? *stored.Find("hnsw_config") : Json();
  c.optimizer_config = stored.Find("optimizer_config") ? *stored.Find("optimizer_config") : Json();
  c.wal_config = stored.Find("wal_config") ? *stored.Find("wal_config") : Json();
  c.quantization_config = stored.Find("quantization_config") ? *stored.Find("quantization_config") : Json();
  const Json* strict = stored.Find("strict_mode_config");
  c.strict_mode_config = strict ? *strict : Json();
  c.metadata = stored.Find("metadata") ? *stored.Find("metadata") : Json();
  return c;
}

Status CollectionConfig::AddVectorName(const std::string& name, const Json& body) {
  if (vectors.count(name) || sparse_vectors.count(name)) {
    return InvalidArgument("Wrong input: Vector name `" + name + "` already exists");
  }
  const Json* dense = body.Find("dense");
  const Json* sparse = body.Find("sparse");
  if ((dense == nullptr) == (sparse == nullptr)) {
    return InvalidArgument("Format error in JSON body: expected exactly one of `dense` or `sparse`");
  }
  if (dense) {
    QUIVER_ASSIGN_OR_RETURN(VectorParams p, ParseVectorParams(*dense, "dense"));
    vectors[name] = std::move(p);
  } else {
    QUIVER_ASSIGN_OR_RETURN(SparseVectorParams p, ParseSparseParams(*sparse, "sparse"));
    sparse_vectors[name] = std::move(p);
  }
  unnamed_vector = false;  // a second vector makes the map form the only one that fits
  return Status::Ok();
}

Status CollectionConfig::RemoveVectorName(const std::string& name) {
  if (!vectors.erase(name) && !sparse_vectors.erase(name)) {
    return NotFound("Vector name `" + name + "` doesn't exist");
  }
  if (unnamed_vector && !vectors.count("")) unnamed_vector = false;
  return Status::Ok();
}

const VectorParams* CollectionConfig::FindVector(const std::string& name) const {
  auto it = vectors.find(name);
  return it == vectors.end() ? nullptr : &it->second;
}

}  // namespace quiver
