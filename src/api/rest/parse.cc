#include "api/rest/parse.h"

namespace quiver::rest {

Status FormatError(const std::string& what) {
  return InvalidArgument("Format error in JSON body: " + what);
}

StatusOr<std::vector<PointId>> ParsePointIds(const Json& j) {
  if (!j.is_array()) return FormatError("expected a list of point ids");
  std::vector<PointId> ids;
  for (const Json& v : j.as_array()) {
    QUIVER_ASSIGN_OR_RETURN(PointId id, PointId::FromJson(v));
    ids.push_back(id);
  }
  return ids;
}

StatusOr<std::optional<Filter>> ParseOptionalFilter(const Json* j) {
  if (j == nullptr || j->is_null()) return std::optional<Filter>();
  QUIVER_ASSIGN_OR_RETURN(Filter f, ParseFilter(*j));
  return std::optional<Filter>(std::move(f));
}

StatusOr<PayloadSelector> ParsePayloadSelector(const Json* j, bool default_all) {
  PayloadSelector s;
  s.mode = default_all ? PayloadSelector::Mode::kAll : PayloadSelector::Mode::kNone;
  if (j == nullptr || j->is_null()) return s;
  auto strings = [](const Json& list, std::vector<std::string>* out) -> Status {
    if (!list.is_array()) return FormatError("with_payload: expected a list of keys");
    for (const Json& k : list.as_array()) {
      if (!k.is_string()) return FormatError("with_payload: keys must be strings");
      out->push_back(k.as_string());
    }
    return Status::Ok();
  };
  if (j->is_bool()) {
    s.mode = j->as_bool() ? PayloadSelector::Mode::kAll : PayloadSelector::Mode::kNone;
  } else if (j->is_array()) {
    s.mode = PayloadSelector::Mode::kInclude;
    QUIVER_RETURN_IF_ERROR(strings(*j, &s.paths));
  } else if (j->is_object() && j->Find("include")) {
    s.mode = PayloadSelector::Mode::kInclude;
    QUIVER_RETURN_IF_ERROR(strings(*j->Find("include"), &s.paths));
  } else if (j->is_object() && j->Find("exclude")) {
    s.mode = PayloadSelector::Mode::kExclude;
    QUIVER_RETURN_IF_ERROR(strings(*j->Find("exclude"), &s.paths));
  } else {
    return FormatError("with_payload: expected a boolean, a list of keys, include or exclude");
  }
  return s;
}

const Json* WithVectorMember(const Json& body) {
  const Json* j = body.Find("with_vector");
  return j != nullptr ? j : body.Find("with_vectors");
}

StatusOr<VectorSelector> ParseVectorSelector(const Json* j, bool default_all) {
  VectorSelector s;
  s.all = default_all;
  if (j == nullptr || j->is_null()) return s;
  if (j->is_bool()) {
    s.all = j->as_bool();
  } else if (j->is_array()) {
    s.all = false;
    for (const Json& k : j->as_array()) {
      if (!k.is_string()) return FormatError("with_vector: names must be strings");
      s.names.push_back(k.as_string());
    }
  } else {
    return FormatError("with_vector: expected a boolean or a list of vector names");
  }
  return s;
}

namespace {

StatusOr<Json> ParsePayloadObject(const Json* j) {
  if (j == nullptr || j->is_null()) return Json::MakeObject();
  if (!j->is_object()) return FormatError("payload must be an object");
  return *j;
}

StatusOr<PointStruct> ParsePointStruct(const Json& p, bool need_vector) {
  if (!p.is_object()) return FormatError("each point must be an object");
  PointStruct out;
  const Json* id = p.Find("id");
  if (id == nullptr) return FormatError("missing field `id`");
  QUIVER_ASSIGN_OR_RETURN(out.id, PointId::FromJson(*id));
  const Json* vector = p.Find("vector");
  if (vector == nullptr) vector = p.Find("vectors");
  if (vector == nullptr) {
    if (need_vector) return FormatError("missing field `vector`");
  } else {
    QUIVER_ASSIGN_OR_RETURN(out.vectors, ParseNamedVectors(*vector));
  }
  QUIVER_ASSIGN_OR_RETURN(out.payload, ParsePayloadObject(p.Find("payload")));
  return out;
}

}  // namespace

StatusOr<std::vector<PointStruct>> ParseUpsertPoints(const Json& body) {
  if (!body.is_object()) return FormatError("expected an object");
  std::vector<PointStruct> points;
  if (const Json* list = body.Find("points")) {
    if (!list->is_array()) return FormatError("`points` must be a list");
    for (const Json& p : list->as_array()) {
      QUIVER_ASSIGN_OR_RETURN(PointStruct ps, ParsePointStruct(p, false));
      points.push_back(std::move(ps));
    }
    return points;
  }
  const Json* batch = body.Find("batch");
  if (batch == nullptr || !batch->is_object()) {
    return FormatError("expected `points` or `batch`");
  }
  const Json* ids = batch->Find("ids");
  if (ids == nullptr) return FormatError("batch: missing field `ids`");
  QUIVER_ASSIGN_OR_RETURN(std::vector<PointId> id_list, ParsePointIds(*ids));
  size_t n = id_list.size();
  points.resize(n);
  for (size_t i = 0; i < n; ++i) points[i].id = id_list[i];
  if (const Json* vectors = batch->Find("vectors")) {
    auto column = [&](const std::string& name, const Json& values) -> Status {
      if (!values.is_array() || values.size() != n) {
        return Unprocessable("batch: number of vectors must "
                               "be equal to the number of ids");
      }
      for (size_t i = 0; i < n; ++i) {
        QUIVER_ASSIGN_OR_RETURN(VectorValue v, ParseVectorValue(values.as_array()[i]));
        points[i].vectors.emplace_back(name, std::move(v));
      }
      return Status::Ok();
    };
    if (vectors->is_array()) {
      QUIVER_RETURN_IF_ERROR(column("", *vectors));
    } else if (vectors->is_object()) {
      for (const auto& [name, values] : vectors->as_object()) {
        QUIVER_RETURN_IF_ERROR(column(name, values));
      }
    } else {
      return FormatError("batch.vectors: expected a list or a map of lists");
    }
  }
  if (const Json* payloads = batch->Find("payloads"); payloads && !payloads->is_null()) {
    if (!payloads->is_array() || payloads->size() != n) {
      return Unprocessable("batch: number of payloads must be "
                             "equal to the number of ids");
    }
    for (size_t i = 0; i < n; ++i) {
      QUIVER_ASSIGN_OR_RETURN(points[i].payload, ParsePayloadObject(&payloads->as_array()[i]));
    }
  }
  return points;
}

StatusOr<UpdateOperation> ParseUpsert(const Json& body) {
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kUpsert;
  QUIVER_ASSIGN_OR_RETURN(op.points, ParseUpsertPoints(body));
  QUIVER_ASSIGN_OR_RETURN(op.update_filter, ParseOptionalFilter(body.Find("update_filter")));
  QUIVER_ASSIGN_OR_RETURN(auto mode, ReadString(body, "update_mode"));
  if (mode) {
    if (*mode == "upsert") op.update_mode = UpdateOperation::Mode::kUpsert;
    else if (*mode == "insert_only") op.update_mode = UpdateOperation::Mode::kInsertOnly;
    else if (*mode == "update_only") op.update_mode = UpdateOperation::Mode::kUpdateOnly;
    else return FormatError("update_mode: unknown variant `" + *mode +
                            "`, expected one of `upsert`, `insert_only`, `update_only`");
  }
  return op;
}

StatusOr<PointSelector> ParsePointSelector(const Json& body) {
  if (!body.is_object()) return FormatError("expected an object");
  PointSelector s;
  const Json* points = body.Find("points");
  const Json* filter = body.Find("filter");
  if (points && !points->is_null()) {
    QUIVER_ASSIGN_OR_RETURN(s.ids, ParsePointIds(*points));
  } else if (filter && !filter->is_null()) {
    QUIVER_ASSIGN_OR_RETURN(s.filter, ParseOptionalFilter(filter));
  } else {
    return FormatError("expected `points` or `filter`");
  }
  return s;
}

StatusOr<UpdateOperation> ParseDeletePoints(const Json& body) {
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kDeletePoints;
  QUIVER_ASSIGN_OR_RETURN(op.selector, ParsePointSelector(body));
  return op;
}

StatusOr<UpdateOperation> ParseSetPayload(const Json& body, UpdateOperation::Kind kind) {
  UpdateOperation op;
  op.kind = kind;
  if (!body.is_object()) return FormatError("expected an object");
  const Json* payload = body.Find("payload");
  if (payload == nullptr) return FormatError("missing field `payload`");
  if (!payload->is_object()) return FormatError("payload must be an object");
  op.payload = *payload;
  QUIVER_ASSIGN_OR_RETURN(op.selector, ParsePointSelector(body));
  if (const Json* key = body.Find("key"); key && !key->is_null()) {
    if (!key->is_string()) return FormatError("key must be a string");
    QUIVER_ASSIGN_OR_RETURN(PayloadPath path, PayloadPath::Parse(key->as_string()));
    op.key = std::move(path);
  }
  return op;
}

StatusOr<UpdateOperation> ParseDeletePayload(const Json& body) {
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kDeletePayload;
  if (!body.is_object()) return FormatError("expected an object");
  const Json* keys = body.Find("keys");
  if (keys == nullptr || !keys->is_array()) return FormatError("missing field `keys`");
  for (const Json& k : keys->as_array()) {
    if (!k.is_string()) return FormatError("keys must be strings");
    QUIVER_ASSIGN_OR_RETURN(PayloadPath path, PayloadPath::Parse(k.as_string()));
    op.keys.push_back(std::move(path));
  }
  QUIVER_ASSIGN_OR_RETURN(op.selector, ParsePointSelector(body));
  return op;
}

StatusOr<UpdateOperation> ParseUpdateVectors(const Json& body) {
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kUpdateVectors;
  const Json* points = body.is_object() ? body.Find("points") : nullptr;
  if (points == nullptr || !points->is_array()) return FormatError("missing field `points`");
  for (size_t i = 0; i < points->size(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(PointStruct ps, ParsePointStruct(points->as_array()[i], true));
    if (ps.vectors.empty()) {
      return Unprocessable("points[" + std::to_string(i) +
                           "].vector: must specify vectors to update for point");
    }
    op.points.push_back(std::move(ps));
  }
  QUIVER_ASSIGN_OR_RETURN(op.update_filter, ParseOptionalFilter(body.Find("update_filter")));
  return op;
}

StatusOr<UpdateOperation> ParseDeleteVectors(const Json& body) {
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kDeleteVectors;
  if (!body.is_object()) return FormatError("expected an object");
  const Json* vectors = body.Find("vector");
  if (vectors == nullptr || !vectors->is_array()) return FormatError("missing field `vector`");
  for (const Json& v : vectors->as_array()) {
    if (!v.is_string()) return FormatError("vector names must be strings");
    op.vector_names.push_back(v.as_string());
  }
  QUIVER_ASSIGN_OR_RETURN(op.selector, ParsePointSelector(body));
  return op;
}

StatusOr<UpdateOperation> ParseBatchOperation(const Json& op) {
  if (!op.is_object() || op.size() != 1) {
    return FormatError("each operation must be an object with one key");
  }
  const auto& [kind, body] = op.as_object()[0];
  using K = UpdateOperation::Kind;
  if (kind == "upsert") return ParseUpsert(body);
  if (kind == "delete") return ParseDeletePoints(body);
  if (kind == "set_payload") return ParseSetPayload(body, K::kSetPayload);
  if (kind == "overwrite_payload") return ParseSetPayload(body, K::kOverwritePayload);
  if (kind == "delete_payload") return ParseDeletePayload(body);
  if (kind == "clear_payload") {
    UpdateOperation u;
    u.kind = K::kClearPayload;
    QUIVER_ASSIGN_OR_RETURN(u.selector, ParsePointSelector(body));
    return u;
  }
  if (kind == "update_vectors") return ParseUpdateVectors(body);
  if (kind == "delete_vectors") return ParseDeleteVectors(body);
  return FormatError("unknown variant `" + kind + "`");
}

StatusOr<size_t> ReadSize(const Json& body, const char* field, size_t fallback) {
  const Json* v = body.Find(field);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->type() == Json::Type::kUInt) return static_cast<size_t>(v->as_uint());  // up to u64::MAX
  if (v->type() != Json::Type::kInt || v->as_int() < 0) {
    return FormatError(std::string(field) + ": expected a non-negative integer");
  }
  return static_cast<size_t>(v->as_int());
}

StatusOr<std::optional<std::string>> ReadString(const Json& body, const char* field) {
  const Json* v = body.Find(field);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return FormatError(std::string(field) + ": expected a string");
  return std::optional<std::string>(v->as_string());
}

StatusOr<OrderBy> ParseOrderBy(const Json& j) {
  OrderBy o;
  if (j.is_string()) {
    o.key = j.as_string();
    return o;
  }
  if (!j.is_object()) return FormatError("order_by: expected a key or an object");
  QUIVER_ASSIGN_OR_RETURN(auto key, ReadString(j, "key"));
  if (!key) return FormatError("order_by: missing field `key`");
  o.key = *key;
  QUIVER_ASSIGN_OR_RETURN(auto dir, ReadString(j, "direction"));
  if (dir) {
    if (*dir != "asc" && *dir != "desc") return FormatError("order_by.direction: expected asc or desc");
    o.descending = *dir == "desc";
  }
  if (const Json* s = j.Find("start_from"); s && !s->is_null()) {
    if (s->is_number()) {
      o.start_from = s->as_double();
    } else if (s->is_string()) {
      auto t = ParseDatetimeSeconds(s->as_string());
      if (!t) return FormatError("order_by.start_from: bad datetime");
      o.start_from = *t;
    } else {
      return FormatError("order_by.start_from: expected a number or a datetime");
    }
  }
  return o;
}

}  // namespace quiver::rest
