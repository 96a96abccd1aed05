// Collection, alias and payload-index routes.
#include "api/rest/parse.h"
#include "api/rest/rest_api.h"
#include "auth/authorize.h"

namespace quiver::rest {
namespace {

StatusOr<Reply> ListCollections(RequestContext& ctx) {
  Json list = Json::MakeArray();
  for (const std::string& name : ctx.catalog.List()) {
    if (auth::CanSee(ctx.access, name)) list.Push(Json(Json::Object{{"name", Json(name)}}));
  }
  return Ok(Json(Json::Object{{"collections", list}}));
}

StatusOr<Reply> GetCollection(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  return Ok(c->Info());
}

StatusOr<Reply> CreateCollection(RequestContext& ctx) {
  QUIVER_RETURN_IF_ERROR(ctx.catalog.Create(ctx.Param("collection_name"), ctx.body));
  return Ok(Json(true));
}

StatusOr<Reply> UpdateCollection(RequestContext& ctx) {
  QUIVER_RETURN_IF_ERROR(ctx.catalog.Update(ctx.Param("collection_name"),
                                            ctx.body.is_null() ? Json::MakeObject() : ctx.body));
  return Ok(Json(true));
}

StatusOr<Reply> DeleteCollection(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(bool existed, ctx.catalog.Delete(ctx.Param("collection_name")));
  return Ok(Json(existed));
}

StatusOr<Reply> CollectionExists(RequestContext& ctx) {
  // Aliases count, as in Qdrant (it resolves the name the same way every route does).
  bool exists = ctx.catalog.Get(ctx.Param("collection_name")).ok();
  return Ok(Json(Json::Object{{"exists", Json(exists)}}));
}

StatusOr<Reply> UpdateAliases(RequestContext& ctx) {
  const Json* actions = ctx.body.Find("actions");
  if (actions == nullptr) return FormatError("missing field `actions`");
  QUIVER_RETURN_IF_ERROR(ctx.catalog.UpdateAliases(*actions));
  return Ok(Json(true));
}

Json RenderAliases(const auth::Access& access,
                   const std::vector<std::pair<std::string, std::string>>& aliases) {
  Json list = Json::MakeArray();
  for (const auto& [alias, collection] : aliases) {
    if (!auth::CanSee(access, alias) || !auth::CanSee(access, collection)) continue;
    list.Push(Json(Json::Object{{"alias_name", Json(alias)}, {"collection_name", Json(collection)}}));
  }
  return Json(Json::Object{{"aliases", list}});
}

StatusOr<Reply> ListAliases(RequestContext& ctx) {
  return Ok(RenderAliases(ctx.access, ctx.catalog.ListAliases(std::nullopt)));
}

StatusOr<Reply> ListCollectionAliases(RequestContext& ctx) {
  const std::string& name = ctx.Param("collection_name");
  if (!ctx.catalog.Exists(name)) return CollectionNotFound(name);
  return Ok(RenderAliases(ctx.access, ctx.catalog.ListAliases(name)));
}

// Qdrant's payload schema types, and the params objects some of them take.
Status ParseIndexSchema(const Json& body, std::string* field, Json* schema) {
  QUIVER_ASSIGN_OR_RETURN(auto name, ReadString(body, "field_name"));
  if (!name) return FormatError("missing field `field_name`");
  *field = *name;
  static const char* kTypes[] = {"keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid"};
  const Json* s = body.Find("field_schema");
  std::string type;
  Json params;
  if (s == nullptr || s->is_null()) {
    return InvalidArgument("Bad request: field_schema is required");
  } else if (s->is_string()) {
    type = s->as_string();
  } else if (s->is_object() && s->Find("type") && s->Find("type")->is_string()) {
    type = s->Find("type")->as_string();
    params = *s;
  } else {
    return FormatError("field_schema: expected a type name or an object with `type`");
  }
  bool known = false;
  for (const char* t : kTypes) known = known || type == t;
  if (!known) {
    return FormatError("field_schema: unknown variant `" + type +
                       "`, expected one of `keyword`, `integer`, `float`, `geo`, `text`, `bool`, "
                       "`datetime`, `uuid`");
  }
  if (type == "integer" && !params.is_null()) {
    const Json* lookup = params.Find("lookup");
    const Json* range = params.Find("range");
    if (lookup && range && lookup->is_bool() && range->is_bool() && !lookup->as_bool() &&
        !range->as_bool()) {
      return Unprocessable("Validation error: the 'lookup' and 'range' capabilities can't be both disabled");
    }
  }
  *schema = Json(Json::Object{{"data_type", Json(type)}});
  if (!params.is_null()) schema->Set("params", params);
  return Status::Ok();
}

StatusOr<Reply> CreateVectorName(RequestContext& ctx) {
  QUIVER_RETURN_IF_ERROR(ctx.catalog.CreateVectorName(ctx.Param("collection_name"),
                                                      ctx.Param("vector_name"), ctx.body));
  return Ok(RenderUpdate(UpdateResult{0, ctx.Wait()}));
}

StatusOr<Reply> DeleteVectorName(RequestContext& ctx) {
  QUIVER_RETURN_IF_ERROR(ctx.catalog.DeleteVectorName(ctx.Param("collection_name"),
                                                      ctx.Param("vector_name")));
  return Ok(RenderUpdate(UpdateResult{0, ctx.Wait()}));
}

StatusOr<Reply> CreateIndex(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  std::string field;
  Json schema;
  QUIVER_RETURN_IF_ERROR(ParseIndexSchema(ctx.body, &field, &schema));
  QUIVER_ASSIGN_OR_RETURN(PayloadPath path, PayloadPath::Parse(field));
  (void)path;
  QUIVER_RETURN_IF_ERROR(c->CreatePayloadIndex(field, schema));
  return Ok(RenderUpdate(UpdateResult{0, ctx.Wait()}));
}

// `GET /collections/{c}/optimizations?with=queued,completed,idle_segments&completed_limit=N`.
StatusOr<Reply> GetOptimizations(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  bool queued = false, completed = false, idle = false;
  if (auto it = ctx.query.find("with"); it != ctx.query.end()) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view part = rest.substr(0, comma);
      if (part == "queued") queued = true;
      else if (part == "completed") completed = true;
      else if (part == "idle_segments") idle = true;
      else if (!part.empty()) {
        return InvalidArgument("Bad request: unknown `with` value `" + std::string(part) +
                               "` (expected queued, completed or idle_segments)");
      }
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    }
  }
  size_t limit = 16;
  if (auto it = ctx.query.find("completed_limit"); it != ctx.query.end()) {
    const std::string& v = it->second;
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidArgument("Bad request: completed_limit must be a non-negative integer");
    }
    limit = std::stoul(v);
  }
  return Ok(c->Optimizations(queued, completed, idle, limit));
}

StatusOr<Reply> DeleteIndex(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  QUIVER_RETURN_IF_ERROR(c->DeletePayloadIndex(ctx.Param("field_name")));
  return Ok(RenderUpdate(UpdateResult{0, ctx.Wait()}));
}

}  // namespace

std::vector<Route> CollectionRoutes() {
  return {
      {"GET", "/collections", Operation::kListCollections, ListCollections},
      {"POST", "/collections/aliases", Operation::kUpdateAliases, UpdateAliases},
      {"GET", "/collections/{collection_name}", Operation::kGetCollection, GetCollection},
      {"PUT", "/collections/{collection_name}", Operation::kCreateCollection, CreateCollection},
      {"PATCH", "/collections/{collection_name}", Operation::kUpdateCollection, UpdateCollection},
      {"DELETE", "/collections/{collection_name}", Operation::kDeleteCollection, DeleteCollection},
      {"GET", "/collections/{collection_name}/exists", Operation::kGetCollection, CollectionExists},
      {"GET", "/collections/{collection_name}/optimizations", Operation::kGetOptimizations, GetOptimizations},
      {"GET", "/aliases", Operation::kListAliases, ListAliases},
      {"GET", "/collections/{collection_name}/aliases", Operation::kListAliases, ListCollectionAliases},
      {"PUT", "/collections/{collection_name}/index", Operation::kCreatePayloadIndex, CreateIndex},
      {"PUT", "/collections/{collection_name}/vectors/{vector_name}", Operation::kUpdateCollection, CreateVectorName},
      {"DELETE", "/collections/{collection_name}/vectors/{vector_name}", Operation::kUpdateCollection, DeleteVectorName},
      {"DELETE", "/collections/{collection_name}/index/{field_name}", Operation::kDeletePayloadIndex, DeleteIndex},
  };
}

}  // namespace quiver::rest
