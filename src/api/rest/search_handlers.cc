// Search-family routes: the universal query, legacy search / recommend / discover, groups,
// facets and the distance matrix.
#include <algorithm>

#include "api/rest/parse.h"
#include "api/rest/rest_api.h"
#include "common/worker_pool.h"

namespace quiver::rest {
namespace {

using Parser = StatusOr<QueryRequest> (*)(const Json&);

// Replaces the ids of vector inputs by the vectors they name in the `lookup_from` collection,
// at every level of the request that names one. Inputs given by id without lookup_from stay
// ids: the collection resolves them itself and leaves those points out of the results.
Status ResolveLookups(RequestContext& ctx, QueryRequest* r) {
  for (QueryRequest& sub : r->prefetch) QUIVER_RETURN_IF_ERROR(ResolveLookups(ctx, &sub));
  if (!r->lookup_from) return Status::Ok();
  auto found = ctx.catalog.Get(r->lookup_from->collection);
  if (!found.ok()) return NotFound("Collection " + r->lookup_from->collection + " not found");
  std::shared_ptr<Collection> other = *found;
  const std::string& vector = r->lookup_from->vector.empty() ? r->using_vector : r->lookup_from->vector;
  auto resolve = [&](VectorInput* in) -> Status {
    if (!in->id) return Status::Ok();
    QUIVER_ASSIGN_OR_RETURN(VectorValue v, other->GetVector(*in->id, vector));
    in->vector = std::move(v);
    in->id.reset();
    return Status::Ok();
  };
  QueryPlan& q = r->query;
  QUIVER_RETURN_IF_ERROR(resolve(&q.nearest));
  QUIVER_RETURN_IF_ERROR(resolve(&q.target));
  for (VectorInput& in : q.positive) QUIVER_RETURN_IF_ERROR(resolve(&in));
  for (VectorInput& in : q.negative) QUIVER_RETURN_IF_ERROR(resolve(&in));
  for (ContextPair& p : q.context) {
    QUIVER_RETURN_IF_ERROR(resolve(&p.positive));
    QUIVER_RETURN_IF_ERROR(resolve(&p.negative));
  }
  return Status::Ok();
}

StatusOr<std::vector<PointOut>> Run(RequestContext& ctx, QueryRequest r) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  QUIVER_RETURN_IF_ERROR(ResolveLookups(ctx, &r));
  return c->Query(r);
}

Json RenderPoints(const std::vector<PointOut>& points) {
  Json::Array list;
  list.reserve(points.size());
  for (const PointOut& p : points) list.push_back(RenderPoint(p));
  return Json(std::move(list));
}

// The universal query's answer: {"points": [...]}. (Built by moves: an initializer list would
// copy the whole list.)
Json RenderQueryAnswer(const std::vector<PointOut>& points) {
  Json answer = Json::MakeObject();
  answer.Set("points", RenderPoints(points));
  return answer;
}

// The text of RenderQueryAnswer(points) (wrap) or RenderPoints(points), written directly.
void AppendAnswerJson(const std::vector<PointOut>& points, bool wrap, std::string* out) {
  if (wrap) out->append(R"({"points":)");
  out->push_back('[');
  for (size_t i = 0; i < points.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendPointJson(points[i], out);
  }
  out->push_back(']');
  if (wrap) out->push_back('}');
}

// Legacy routes answer a bare list; the universal query wraps it in {points}.
template <Parser parse, bool wrap>
StatusOr<Reply> Single(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(QueryRequest r, parse(ctx.body));
  QUIVER_ASSIGN_OR_RETURN(auto points, Run(ctx, r));
  if (wrap) return Ok(RenderQueryAnswer(points));
  return Ok(RenderPoints(points));
}

// A batch: each search is read, its lookups resolved, run and written as JSON text by one thread,
// the searches spread over up to max_search_threads threads (WorkerPool::ForEach) as Qdrant
// searches its segments side by side; the texts are joined in request order.
template <Parser parse, bool wrap>
StatusOr<Reply> BatchOf(RequestContext& ctx) {
  const Json* searches = ctx.body.Find("searches");
  if (searches == nullptr || !searches->is_array()) return FormatError("missing field `searches`");
  const Json::Array& items = searches->as_array();
  const auto collection = CollectionOf(ctx);
  // The step at which each search failed; the answer is decided after the loop, below.
  enum Step { kRead, kLookup, kSearch, kDone };
  std::vector<Step> failed_at(items.size(), kDone);
  std::vector<Status> errors(items.size());
  std::vector<std::string> texts(items.size());
  // A worker starts 0.1-0.2 ms after it is woken: worth it only for a few searches each.
  constexpr size_t kSearchesPerThread = 4;
  const size_t threads = std::min(ctx.catalog.search_threads(), items.size() / kSearchesPerThread);
  WorkerPool::Shared().ForEach(items.size(), threads, [&](size_t i) {
    Step step = kRead;
    Status error;
    try {
      StatusOr<QueryRequest> r = parse(items[i]);
      error = r.status();
      if (error.ok() && collection.ok()) {
        step = kLookup;
        error = ResolveLookups(ctx, &*r);
        if (error.ok()) {
          step = kSearch;
          auto points = (*collection)->Query(*r);
          error = points.status();
          if (error.ok()) AppendAnswerJson(*points, wrap, &texts[i]);
        }
      }
    } catch (const std::exception& e) {
      // On a worker an escaping exception would end the process; as kInternal it is answered
      // as the front end's last-resort catch answers: 500.
      error = Status(StatusCode::kInternal, e.what());
    }
    if (!error.ok()) {
      failed_at[i] = step;
      errors[i] = std::move(error);
    }
  });
  // The first error of the earliest step, as if each step ran over the whole batch before the
  // next: a malformed search anywhere (Qdrant reads the body first), then a missing collection,
  // then a failed lookup, then a failed search.
  auto first_failed = [&](Step step) -> const Status* {
    for (size_t i = 0; i < items.size(); ++i) {
      if (failed_at[i] == step) return &errors[i];
    }
    return nullptr;
  };
  if (const Status* error = first_failed(kRead)) return *error;
  if (!collection.ok()) return collection.status();
  for (Step step : {kLookup, kSearch}) {
    if (const Status* error = first_failed(step)) return *error;
  }
  Reply reply;
  reply.result_text.emplace("[");
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) reply.result_text->push_back(',');
    reply.result_text->append(texts[i]);
  }
  reply.result_text->push_back(']');
  return reply;
}

template <Parser parse>
StatusOr<Reply> Groups(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(QueryRequest r, parse(ctx.body));
  QUIVER_ASSIGN_OR_RETURN(auto group_by, ReadString(ctx.body, "group_by"));
  if (!group_by) return FormatError("missing field `group_by`");
  QUIVER_ASSIGN_OR_RETURN(size_t group_size, ReadSize(ctx.body, "group_size", 3));
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  QUIVER_RETURN_IF_ERROR(ResolveLookups(ctx, &r));
  // with_lookup: each group's id names a point of another collection, attached as `lookup`.
  std::shared_ptr<Collection> lookup_collection;
  PayloadSelector lookup_payload;
  VectorSelector lookup_vector;
  if (const Json* wl = ctx.body.Find("with_lookup"); wl && !wl->is_null()) {
    std::string name;
    if (wl->is_string()) {
      name = wl->as_string();
      lookup_payload.mode = PayloadSelector::Mode::kAll;
    } else if (wl->is_object() && wl->Find("collection") && wl->Find("collection")->is_string()) {
      name = wl->Find("collection")->as_string();
      QUIVER_ASSIGN_OR_RETURN(lookup_payload, ParsePayloadSelector(wl->Find("with_payload"), true));
      QUIVER_ASSIGN_OR_RETURN(lookup_vector, ParseVectorSelector(WithVectorMember(*wl), false));
    } else {
      return FormatError("with_lookup: expected a collection name or {collection, ...}");
    }
    auto found = ctx.catalog.Get(name);
    if (!found.ok()) return NotFound("Collection " + name + " not found");
    lookup_collection = *found;
  }
  QUIVER_ASSIGN_OR_RETURN(auto groups, c->QueryGroups(r, *group_by, group_size));
  Json list = Json::MakeArray();
  for (const GroupResult& g : groups) {
    Json group(Json::Object{{"id", g.id}, {"hits", RenderPoints(g.hits)}});
    if (lookup_collection) {
      auto id = PointId::FromJson(g.id);
      if (id.ok()) {
        QUIVER_ASSIGN_OR_RETURN(auto found, lookup_collection->Retrieve({*id}, lookup_payload, lookup_vector));
        if (!found.empty()) group.Set("lookup", RenderPoint(found[0]));
      }
    }
    list.Push(std::move(group));
  }
  return Ok(Json(Json::Object{{"groups", list}}));
}

StatusOr<QueryRequest> ParseSearchForGroups(const Json& body) {
  // search/groups has no offset and a required limit of groups.
  return ParseSearchRequest(body);
}

StatusOr<Reply> Facet(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  QUIVER_ASSIGN_OR_RETURN(auto key, ReadString(ctx.body, "key"));
  if (!key) return FormatError("missing field `key`");
  QUIVER_ASSIGN_OR_RETURN(auto filter, ParseOptionalFilter(ctx.body.Find("filter")));
  QUIVER_ASSIGN_OR_RETURN(size_t limit, ReadSize(ctx.body, "limit", 10));
  QUIVER_ASSIGN_OR_RETURN(auto hits, c->Facet(*key, filter, limit));
  Json list = Json::MakeArray();
  for (const FacetHit& h : hits) {
    list.Push(Json(Json::Object{{"value", h.value}, {"count", Json(static_cast<uint64_t>(h.count))}}));
  }
  return Ok(Json(Json::Object{{"hits", list}}));
}

StatusOr<MatrixResult> RunMatrix(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(auto c, CollectionOf(ctx));
  const Json body = ctx.body.is_null() ? Json::MakeObject() : ctx.body;
  QUIVER_ASSIGN_OR_RETURN(auto filter, ParseOptionalFilter(body.Find("filter")));
  QUIVER_ASSIGN_OR_RETURN(size_t sample, ReadSize(body, "sample", 10));
  QUIVER_ASSIGN_OR_RETURN(size_t limit, ReadSize(body, "limit", 3));
  QUIVER_ASSIGN_OR_RETURN(auto using_vector, ReadString(body, "using"));
  return c->Matrix(filter, sample, limit, using_vector.value_or(""));
}

StatusOr<Reply> MatrixPairs(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(MatrixResult m, RunMatrix(ctx));
  Json pairs = Json::MakeArray();
  for (const auto& e : m.entries) {
    pairs.Push(Json(Json::Object{{"a", m.ids[e.row].ToJson()},
                                 {"b", m.ids[e.col].ToJson()},
                                 {"score", Json::Float(e.score)}}));
  }
  return Ok(Json(Json::Object{{"pairs", pairs}}));
}

StatusOr<Reply> MatrixOffsets(RequestContext& ctx) {
  QUIVER_ASSIGN_OR_RETURN(MatrixResult m, RunMatrix(ctx));
  Json rows = Json::MakeArray(), cols = Json::MakeArray(), scores = Json::MakeArray(),
       ids = Json::MakeArray();
  for (const auto& e : m.entries) {
    rows.Push(Json(static_cast<uint64_t>(e.row)));
    cols.Push(Json(static_cast<uint64_t>(e.col)));
    scores.Push(Json::Float(e.score));
  }
  for (const PointId& id : m.ids) ids.Push(id.ToJson());
  return Ok(Json(Json::Object{{"offsets_row", rows}, {"offsets_col", cols}, {"scores", scores}, {"ids", ids}}));
}

}  // namespace

std::vector<Route> SearchRoutes() {
  using O = Operation;
  return {
      {"POST", "/collections/{collection_name}/points/query", O::kSearchPoints, Single<ParseQueryRequest, true>},
      {"POST", "/collections/{collection_name}/points/query/batch", O::kSearchPoints, BatchOf<ParseQueryRequest, true>},
      {"POST", "/collections/{collection_name}/points/query/groups", O::kSearchPoints, Groups<ParseQueryRequest>},
      {"POST", "/collections/{collection_name}/points/search", O::kSearchPoints, Single<ParseSearchRequest, false>},
      {"POST", "/collections/{collection_name}/points/search/batch", O::kSearchPoints, BatchOf<ParseSearchRequest, false>},
      {"POST", "/collections/{collection_name}/points/search/groups", O::kSearchPoints, Groups<ParseSearchForGroups>},
      {"POST", "/collections/{collection_name}/points/recommend", O::kSearchPoints, Single<ParseRecommendRequest, false>},
      {"POST", "/collections/{collection_name}/points/recommend/batch", O::kSearchPoints, BatchOf<ParseRecommendRequest, false>},
      {"POST", "/collections/{collection_name}/points/recommend/groups", O::kSearchPoints, Groups<ParseRecommendRequest>},
      {"POST", "/collections/{collection_name}/points/discover", O::kSearchPoints, Single<ParseDiscoverRequest, false>},
      {"POST", "/collections/{collection_name}/points/discover/batch", O::kSearchPoints, BatchOf<ParseDiscoverRequest, false>},
      {"POST", "/collections/{collection_name}/points/search/matrix/pairs", O::kSearchPoints, MatrixPairs},
      {"POST", "/collections/{collection_name}/points/search/matrix/offsets", O::kSearchPoints, MatrixOffsets},
      {"POST", "/collections/{collection_name}/facet", O::kFacet, Facet},
  };
}

}  // namespace quiver::rest
