// Service routes: root, health probes.
#include "api/rest/rest_api.h"

namespace quiver::rest {
namespace {

// Clients identify a Qdrant-compatible server by this title; the version is the Qdrant API
// version Quiver implements, so official clients' compatibility checks pass.
StatusOr<Reply> Root(RequestContext& ctx) {
  Reply r;
  r.bare_json = true;
  r.result = Json(Json::Object{{"title", Json("qdrant - vector search engine")},
                               {"version", Json(ctx.info.version)},
                               {"commit", Json(ctx.info.commit)}});
  return r;
}

StatusOr<Reply> Health(RequestContext& ctx) {
  Reply r;
  r.raw_text = "healthz check passed";
  return r;
}

// Ready once storage is loaded: the server only listens after that.
StatusOr<Reply> Ready(RequestContext& ctx) {
  Reply r;
  r.raw_text = "all shards are ready";
  return r;
}

}  // namespace

std::vector<Route> ServiceRoutes() {
  return {
      {"GET", "/", Operation::kServiceInfo, Root},
      {"GET", "/healthz", Operation::kHealthCheck, Health},
      {"GET", "/livez", Operation::kHealthCheck, Health},
      {"GET", "/readyz", Operation::kHealthCheck, Ready},
  };
}

}  // namespace quiver::rest
