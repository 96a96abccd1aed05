// Parsing of the universal query body and of the legacy search / recommend / discover bodies.
#include "api/rest/parse.h"

namespace quiver::rest {
namespace {

StatusOr<VectorInput> ParseVectorInput(const Json& j) {
  VectorInput in;
  if (j.is_number() || j.is_string()) {
    QUIVER_ASSIGN_OR_RETURN(PointId id, PointId::FromJson(j));
    in.id = id;
    return in;
  }
  QUIVER_ASSIGN_OR_RETURN(VectorValue v, ParseVectorValue(j));
  in.vector = std::move(v);
  return in;
}

StatusOr<std::vector<VectorInput>> ParseVectorInputs(const Json* j) {
  std::vector<VectorInput> out;
  if (j == nullptr || j->is_null()) return out;
  if (!j->is_array()) return FormatError("expected a list of point ids or vectors");
  for (const Json& e : j->as_array()) {
    QUIVER_ASSIGN_OR_RETURN(VectorInput in, ParseVectorInput(e));
    out.push_back(std::move(in));
  }
  return out;
}

StatusOr<ContextPair> ParseContextPair(const Json& j) {
  if (!j.is_object() || !j.Find("positive") || !j.Find("negative")) {
    return FormatError("context pair needs `positive` and `negative`");
  }
  ContextPair p;
  QUIVER_ASSIGN_OR_RETURN(p.positive, ParseVectorInput(*j.Find("positive")));
  QUIVER_ASSIGN_OR_RETURN(p.negative, ParseVectorInput(*j.Find("negative")));
  return p;
}

StatusOr<std::vector<ContextPair>> ParseContext(const Json* j) {
  std::vector<ContextPair> out;
  if (j == nullptr || j->is_null()) return out;
  if (j->is_object()) {
    QUIVER_ASSIGN_OR_RETURN(ContextPair p, ParseContextPair(*j));
    out.push_back(std::move(p));
    return out;
  }
  if (!j->is_array()) return FormatError("context: expected a list of pairs");
  for (const Json& e : j->as_array()) {
    QUIVER_ASSIGN_OR_RETURN(ContextPair p, ParseContextPair(e));
    out.push_back(std::move(p));
  }
  return out;
}

StatusOr<QueryPlan::Strategy> ParseStrategy(const Json* j) {
  if (j == nullptr || j->is_null()) return QueryPlan::Strategy::kAverageVector;
  if (j->is_string()) {
    if (j->as_string() == "average_vector") return QueryPlan::Strategy::kAverageVector;
    if (j->as_string() == "best_score") return QueryPlan::Strategy::kBestScore;
    if (j->as_string() == "sum_scores") return QueryPlan::Strategy::kSumScores;
  }
  return FormatError("unknown variant `" + j->Dump() +
                     "`, expected one of `average_vector`, `best_score`, `sum_scores`");
}

StatusOr<QueryPlan> ParseQueryPlan(const Json* j) {
  using Kind = QueryPlan::Kind;
  QueryPlan plan;
  if (j == nullptr || j->is_null()) return plan;
  if (!j->is_object() || (j->Find("indices") && j->Find("values"))) {
    plan.kind = Kind::kNearest;
    QUIVER_ASSIGN_OR_RETURN(plan.nearest, ParseVectorInput(*j));
    return plan;
  }
  if (j->size() != 1 && !j->Find("nearest")) return FormatError("query: unknown query variant");
  const auto& [kind, body] = j->as_object()[0];
  if (kind == "nearest") {
    plan.kind = Kind::kNearest;
    QUIVER_ASSIGN_OR_RETURN(plan.nearest, ParseVectorInput(body));
  } else if (kind == "recommend") {
    plan.kind = Kind::kRecommend;
    if (!body.is_object()) return FormatError("recommend: expected an object");
    QUIVER_ASSIGN_OR_RETURN(plan.positive, ParseVectorInputs(body.Find("positive")));
    QUIVER_ASSIGN_OR_RETURN(plan.negative, ParseVectorInputs(body.Find("negative")));
    QUIVER_ASSIGN_OR_RETURN(plan.strategy, ParseStrategy(body.Find("strategy")));
    if (plan.positive.empty() && plan.negative.empty()) {
      return Unprocessable("recommend: At least one positive or negative example must be provided");
    }
  } else if (kind == "discover") {
    plan.kind = Kind::kDiscover;
    if (!body.is_object() || !body.Find("target")) return FormatError("discover: missing field `target`");
    QUIVER_ASSIGN_OR_RETURN(plan.target, ParseVectorInput(*body.Find("target")));
    QUIVER_ASSIGN_OR_RETURN(plan.context, ParseContext(body.Find("context")));
  } else if (kind == "context") {
    plan.kind = Kind::kContext;
    QUIVER_ASSIGN_OR_RETURN(plan.context, ParseContext(&body));
  } else if (kind == "order_by") {
    plan.kind = Kind::kOrderBy;
    QUIVER_ASSIGN_OR_RETURN(plan.order_by, ParseOrderBy(body));
  } else if (kind == "fusion") {
    plan.kind = Kind::kFusion;
    if (body.is_string() && body.as_string() == "rrf") plan.fusion = QueryPlan::Fusion::kRrf;
    else if (body.is_string() && body.as_string() == "dbsf") plan.fusion = QueryPlan::Fusion::kDbsf;
    else return FormatError("unknown variant `" + body.Dump() + "`, expected `rrf` or `dbsf`");
  } else if (kind == "rrf") {
    plan.kind = Kind::kFusion;
    plan.fusion = QueryPlan::Fusion::kRrf;
    if (body.is_object()) {
      QUIVER_ASSIGN_OR_RETURN(size_t k, ReadSize(body, "k", 2));
      if (k == 0) return Unprocessable("query.rrf.k: value 0 invalid, must be 1 or more");
      plan.rrf_k = static_cast<int>(k);
      if (const Json* w = body.Find("weights"); w && !w->is_null()) {
        if (!w->is_array()) return FormatError("rrf.weights: expected a list of numbers");
        for (const Json& x : w->as_array()) {
          if (!x.is_number()) return FormatError("rrf.weights: expected a list of numbers");
          plan.rrf_weights.push_back(static_cast<float>(x.as_double()));
        }
      }
    }
  } else if (kind == "sample") {
    if (!body.is_string() || body.as_string() != "random") {
      return FormatError("unknown variant `" + body.Dump() + "`, expected `random`");
    }
    plan.kind = Kind::kSample;
  } else {
    return FormatError("query: unknown variant `" + kind + "`");
  }
  return plan;
}

// Members shared by every search-like body.
Status ParseCommon(const Json& body, QueryRequest* r, bool payload_default) {
  QUIVER_ASSIGN_OR_RETURN(r->filter, ParseOptionalFilter(body.Find("filter")));
  QUIVER_ASSIGN_OR_RETURN(r->limit, ReadSize(body, "limit", 10));
  if (r->limit == 0) return Unprocessable("internal.limit: value 0 invalid, must be 1 or larger");
  QUIVER_ASSIGN_OR_RETURN(r->offset, ReadSize(body, "offset", 0));
  QUIVER_ASSIGN_OR_RETURN(r->with_payload, ParsePayloadSelector(body.Find("with_payload"), payload_default));
  QUIVER_ASSIGN_OR_RETURN(r->with_vector, ParseVectorSelector(WithVectorMember(body), false));
  if (const Json* t = body.Find("score_threshold"); t && !t->is_null()) {
    if (!t->is_number()) return FormatError("score_threshold: expected a number");
    r->score_threshold = static_cast<float>(t->as_double());
  }
  if (const Json* u = body.Find("using"); u && !u->is_null()) {
    if (!u->is_string()) return FormatError("using: expected a vector name");
    r->using_vector = u->as_string();
  }
  if (const Json* p = body.Find("params"); p && p->is_object()) {
    if (const Json* e = p->Find("exact"); e && e->is_bool()) r->exact = e->as_bool();
    if (const Json* ef = p->Find("hnsw_ef"); ef && !ef->is_null()) {
      if (ef->type() != Json::Type::kInt || ef->as_int() < 0) {
        return FormatError("params.hnsw_ef: expected a non-negative integer");
      }
      if (ef->as_int() == 0) {
        return Unprocessable("params.hnsw_ef: value 0 invalid, must be 1 or larger");
      }
      r->hnsw_ef = static_cast<size_t>(ef->as_int());
    }
    if (const Json* i = p->Find("indexed_only"); i && i->is_bool()) r->indexed_only = i->as_bool();
    if (const Json* q = p->Find("quantization"); q && q->is_object()) {
      QueryRequest::QuantizationParams qp;
      if (const Json* v = q->Find("ignore"); v && v->is_bool()) qp.ignore = v->as_bool();
      if (const Json* v = q->Find("rescore"); v && v->is_bool()) qp.rescore = v->as_bool();
      if (const Json* v = q->Find("oversampling"); v && v->is_number()) {
        if (v->as_double() < 1.0) {
          return Unprocessable("params.quantization.oversampling: value must be 1 or larger");
        }
        qp.oversampling = static_cast<float>(v->as_double());
      }
      r->quantization = qp;
    }
  }
  if (const Json* l = body.Find("lookup_from"); l && !l->is_null()) {
    if (!l->is_object()) return FormatError("lookup_from: expected an object");
    QUIVER_ASSIGN_OR_RETURN(auto c, ReadString(*l, "collection"));
    if (!c) return FormatError("lookup_from: missing field `collection`");
    QUIVER_ASSIGN_OR_RETURN(auto v, ReadString(*l, "vector"));
    r->lookup_from = LookupFrom{*c, v.value_or("")};
  }
  return Status::Ok();
}

}  // namespace

StatusOr<QueryRequest> ParseQueryRequest(const Json& body) {
  if (!body.is_object()) return FormatError("expected an object");
  QueryRequest r;
  QUIVER_RETURN_IF_ERROR(ParseCommon(body, &r, false));
  QUIVER_ASSIGN_OR_RETURN(r.query, ParseQueryPlan(body.Find("query")));
  if (const Json* pf = body.Find("prefetch"); pf && !pf->is_null()) {
    auto add = [&](const Json& p) -> Status {
      QUIVER_ASSIGN_OR_RETURN(QueryRequest sub, ParseQueryRequest(p));
      r.prefetch.push_back(std::move(sub));
      return Status::Ok();
    };
    if (pf->is_array()) {
      for (const Json& p : pf->as_array()) QUIVER_RETURN_IF_ERROR(add(p));
    } else {
      QUIVER_RETURN_IF_ERROR(add(*pf));
    }
  }
  if (r.query.kind == QueryPlan::Kind::kNone && !r.prefetch.empty()) {
    return InvalidArgument("Bad request: A query is needed to merge the prefetches. Can't have "
                           "prefetches without defining a query.");
  }
  if (r.query.kind == QueryPlan::Kind::kNone && r.score_threshold) {
    return InvalidArgument("Bad request: A query is needed to use the score_threshold. Can't have "
                           "score_threshold without defining a query.");
  }
  if (r.query.kind == QueryPlan::Kind::kOrderBy && r.score_threshold) {
    return InvalidArgument("Bad request: Can't use score_threshold with an order_by query.");
  }
  if (r.query.kind == QueryPlan::Kind::kFusion && body.Find("using") &&
      !body.Find("using")->is_null()) {
    return InvalidArgument("Bad request: Fusion queries cannot be combined with the 'using' field.");
  }
  if (r.query.kind == QueryPlan::Kind::kFusion && r.prefetch.empty()) {
    return InvalidArgument("Bad request: cannot apply Fusion without prefetches");
  }
  return r;
}

StatusOr<QueryRequest> ParseSearchRequest(const Json& body) {
  if (!body.is_object()) return FormatError("expected an object");
  QueryRequest r;
  QUIVER_RETURN_IF_ERROR(ParseCommon(body, &r, false));
  if (!body.Find("limit")) return FormatError("missing field `limit`");
  const Json* vector = body.Find("vector");
  if (vector == nullptr) return FormatError("missing field `vector`");
  r.query.kind = QueryPlan::Kind::kNearest;
  if (vector->is_object() && vector->Find("name") && vector->Find("vector")) {
    QUIVER_ASSIGN_OR_RETURN(auto name, ReadString(*vector, "name"));
    r.using_vector = name.value_or("");
    QUIVER_ASSIGN_OR_RETURN(VectorValue v, ParseVectorValue(*vector->Find("vector")));
    r.query.nearest.vector = std::move(v);
  } else {
    QUIVER_ASSIGN_OR_RETURN(VectorValue v, ParseVectorValue(*vector));
    r.query.nearest.vector = std::move(v);
  }
  return r;
}

StatusOr<QueryRequest> ParseRecommendRequest(const Json& body) {
  if (!body.is_object()) return FormatError("expected an object");
  QueryRequest r;
  QUIVER_RETURN_IF_ERROR(ParseCommon(body, &r, false));
  r.query.kind = QueryPlan::Kind::kRecommend;
  QUIVER_ASSIGN_OR_RETURN(r.query.positive, ParseVectorInputs(body.Find("positive")));
  QUIVER_ASSIGN_OR_RETURN(r.query.negative, ParseVectorInputs(body.Find("negative")));
  QUIVER_ASSIGN_OR_RETURN(r.query.strategy, ParseStrategy(body.Find("strategy")));
  return r;
}

StatusOr<QueryRequest> ParseDiscoverRequest(const Json& body) {
  if (!body.is_object()) return FormatError("expected an object");
  QueryRequest r;
  QUIVER_RETURN_IF_ERROR(ParseCommon(body, &r, false));
  QUIVER_ASSIGN_OR_RETURN(r.query.context, ParseContext(body.Find("context")));
  if (const Json* t = body.Find("target"); t && !t->is_null()) {
    r.query.kind = QueryPlan::Kind::kDiscover;
    QUIVER_ASSIGN_OR_RETURN(r.query.target, ParseVectorInput(*t));
  } else {
    r.query.kind = QueryPlan::Kind::kContext;
  }
  return r;
}

}  // namespace quiver::rest
