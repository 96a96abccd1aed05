// Point routes: writes, retrieve, scroll, count.
#include "api/rest/parse.h"
#include "api/rest/rest_api.h"

namespace quiver::rest {
namespace {

StatusOr<Reply> ApplyOps(RequestContext& ctx, std::vector<UpdateOperation> ops) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  QUIVER_ASSIGN_OR_RETURN(UpdateResult r, c->Apply(std::move(ops), ctx.Wait()));
  return Ok(RenderUpdate(r));
}

StatusOr<Reply> ApplyOne(RequestContext& ctx, StatusOr<UpdateOperation> op) {
  if (!op.ok()) return op.status();
  std::vector<UpdateOperation> ops;
  ops.push_back(std::move(op).value());
  return ApplyOps(ctx, std::move(ops));
}

StatusOr<Reply> Upsert(RequestContext& ctx) { return ApplyOne(ctx, ParseUpsert(ctx.body)); }

StatusOr<Reply> DeletePoints(RequestContext& ctx) { return ApplyOne(ctx, ParseDeletePoints(ctx.body)); }
StatusOr<Reply> SetPayload(RequestContext& ctx) {
  return ApplyOne(ctx, ParseSetPayload(ctx.body, UpdateOperation::Kind::kSetPayload));
}
StatusOr<Reply> OverwritePayload(RequestContext& ctx) {
  return ApplyOne(ctx, ParseSetPayload(ctx.body, UpdateOperation::Kind::kOverwritePayload));
}
StatusOr<Reply> DeletePayload(RequestContext& ctx) { return ApplyOne(ctx, ParseDeletePayload(ctx.body)); }
StatusOr<Reply> ClearPayload(RequestContext& ctx) {
  UpdateOperation op;
  op.kind = UpdateOperation::Kind::kClearPayload;
  QUIVER_ASSIGN_OR_RETURN(op.selector, ParsePointSelector(ctx.body));
  return ApplyOne(ctx, std::move(op));
}
StatusOr<Reply> UpdateVectors(RequestContext& ctx) { return ApplyOne(ctx, ParseUpdateVectors(ctx.body)); }
StatusOr<Reply> DeleteVectors(RequestContext& ctx) { return ApplyOne(ctx, ParseDeleteVectors(ctx.body)); }

StatusOr<Reply> Batch(RequestContext& ctx) {
  const Json* list = ctx.body.Find("operations");
  if (list == nullptr || !list->is_array()) return FormatError("missing field `operations`");
  std::vector<UpdateOperation> ops;
  for (const Json& op : list->as_array()) {
    QUIVER_ASSIGN_OR_RETURN(UpdateOperation parsed, ParseBatchOperation(op));
    ops.push_back(std::move(parsed));
  }
  const size_t count = ops.size();
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  QUIVER_ASSIGN_OR_RETURN(UpdateResult r, c->Apply(std::move(ops), ctx.Wait()));
  // Qdrant answers one result per operation.
  Json results = Json::MakeArray();
  for (size_t i = 0; i < count; ++i) results.Push(RenderUpdate(r));
  return Ok(results);
}

StatusOr<Reply> GetPoint(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  QUIVER_ASSIGN_OR_RETURN(PointId id, PointId::FromString(ctx.Param("id")));
  PayloadSelector all_payload;
  all_payload.mode = PayloadSelector::Mode::kAll;
  VectorSelector all_vectors;
  all_vectors.all = true;
  QUIVER_ASSIGN_OR_RETURN(auto points, c->Retrieve({id}, all_payload, all_vectors));
  if (points.empty()) return NotFound("Point with id " + id.ToString() + " does not exists!");
  return Ok(RenderPoint(points[0]));
}

StatusOr<Reply> Retrieve(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  const Json* ids = ctx.body.Find("ids");
  if (ids == nullptr) return FormatError("missing field `ids`");
  QUIVER_ASSIGN_OR_RETURN(auto id_list, ParsePointIds(*ids));
  // Qdrant's retrieve defaults to no payload (its collection code, whatever its docs say).
  QUIVER_ASSIGN_OR_RETURN(auto wp, ParsePayloadSelector(ctx.body.Find("with_payload"), false));
  QUIVER_ASSIGN_OR_RETURN(auto wv, ParseVectorSelector(WithVectorMember(ctx.body), false));
  QUIVER_ASSIGN_OR_RETURN(auto points, c->Retrieve(id_list, wp, wv));
  Json list = Json::MakeArray();
  for (const PointOut& p : points) list.Push(RenderPoint(p));
  return Ok(list);
}

StatusOr<Reply> Scroll(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  const Json body = ctx.body.is_null() ? Json::MakeObject() : ctx.body;
  if (!body.is_object()) return FormatError("expected an object");
  QUIVER_ASSIGN_OR_RETURN(auto filter, ParseOptionalFilter(body.Find("filter")));
  QUIVER_ASSIGN_OR_RETURN(size_t limit, ReadSize(body, "limit", 10));
  if (limit == 0) return Unprocessable("limit: value 0 invalid, must be 1 or larger");
  std::optional<PointId> offset;
  if (const Json* o = body.Find("offset"); o && !o->is_null()) {
    QUIVER_ASSIGN_OR_RETURN(offset, PointId::FromJson(*o));
  }
  std::optional<OrderBy> order_by;
  if (const Json* o = body.Find("order_by"); o && !o->is_null()) {
    QUIVER_ASSIGN_OR_RETURN(order_by, ParseOrderBy(*o));
    if (offset) {
      return InvalidArgument("Bad request: Cannot use an `offset` when using `order_by`. The "
                             "alternative for paging is to use `order_by.start_from` and a filter "
                             "to exclude the IDs that you've already seen for the `order_by.start_from` value");
    }
  }
  QUIVER_ASSIGN_OR_RETURN(auto wp, ParsePayloadSelector(body.Find("with_payload"), true));
  QUIVER_ASSIGN_OR_RETURN(auto wv, ParseVectorSelector(WithVectorMember(body), false));
  QUIVER_ASSIGN_OR_RETURN(ScrollResult r, c->Scroll(filter, limit, offset, order_by, wp, wv));
  Json points = Json::MakeArray();
  for (const PointOut& p : r.points) points.Push(RenderPoint(p));
  return Ok(Json(Json::Object{
      {"points", points},
      {"next_page_offset", r.next_page_offset ? r.next_page_offset->ToJson() : Json()}}));
}

StatusOr<Reply> Count(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  const Json body = ctx.body.is_null() ? Json::MakeObject() : ctx.body;
  if (!body.is_object()) return FormatError("expected an object");
  QUIVER_ASSIGN_OR_RETURN(auto filter, ParseOptionalFilter(body.Find("filter")));
  return Ok(Json(Json::Object{{"count", Json(static_cast<uint64_t>(c->Count(filter)))}}));
}

}  // namespace

std::vector<Route> PointRoutes() {
  using O = Operation;
  return {
      {"PUT", "/collections/{collection_name}/points", O::kUpsertPoints, Upsert},
      {"POST", "/collections/{collection_name}/points", O::kRetrievePoints, Retrieve},
      {"GET", "/collections/{collection_name}/points/{id}", O::kRetrievePoints, GetPoint},
      {"POST", "/collections/{collection_name}/points/delete", O::kUpdatePoints, DeletePoints},
      {"PUT", "/collections/{collection_name}/points/vectors", O::kUpdatePoints, UpdateVectors},
      {"POST", "/collections/{collection_name}/points/vectors/delete", O::kUpdatePoints, DeleteVectors},
      {"POST", "/collections/{collection_name}/points/payload", O::kUpdatePoints, SetPayload},
      {"PUT", "/collections/{collection_name}/points/payload", O::kUpdatePoints, OverwritePayload},
      {"POST", "/collections/{collection_name}/points/payload/delete", O::kUpdatePoints, DeletePayload},
      {"POST", "/collections/{collection_name}/points/payload/clear", O::kUpdatePoints, ClearPayload},
      {"POST", "/collections/{collection_name}/points/batch", O::kUpdatePoints, Batch},
      {"POST", "/collections/{collection_name}/points/scroll", O::kScrollPoints, Scroll},
      {"POST", "/collections/{collection_name}/points/count", O::kCountPoints, Count},
  };
}

}  // namespace quiver::rest
