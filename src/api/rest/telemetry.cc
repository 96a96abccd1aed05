// GET /telemetry: Qdrant's TelemetryData (src/common/telemetry.rs and telemetry_ops/ in Qdrant),
// as far as a single node without a cluster has it.
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <thread>

#include "api/rest/monitoring.h"
#include "audit/audit_event.h"
#include "auth/authorize.h"
#include "collection/filter.h"

namespace quiver::rest {

uint64_t CollectionCounts::vectors_total() const {
  uint64_t total = 0;
  for (const auto& [name, n] : vectors) total += n;
  return total;
}

std::vector<CollectionCounts> CountCollections(Catalog& catalog, const auth::Access& access) {
  std::vector<CollectionCounts> out;
  for (const std::string& name : catalog.List()) {
    if (!auth::CanSee(access, name)) continue;
    auto collection = catalog.Get(name);
    if (!collection.ok()) continue;  // deleted meanwhile
    CollectionCounts c;
    c.name = name;
    c.collection = *collection;
    c.points = c.collection->Count(std::nullopt);
    CollectionConfig config = c.collection->config();
    std::vector<std::string> names;
    for (const auto& [vector, params] : config.vectors) names.push_back(vector);
    for (const auto& [vector, params] : config.sparse_vectors) names.push_back(vector);
    for (const std::string& vector : names) {
      Filter has;
      has.must = std::vector<Condition>{Condition(HasVectorCondition{vector})};
      c.vectors[vector] = c.collection->Count(has);
    }
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

// /etc/os-release's KEY=value, unquoted; "" when absent.
std::string OsRelease(const std::string& key) {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) != 0) continue;
    std::string v = line.substr(key.size() + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    return v;
  }
  return "";
}

std::string CpuFlags() {
  std::string flags;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  auto add = [&](bool has, const char* name) {
    if (!has) return;
    if (!flags.empty()) flags.push_back(',');
    flags.append(name);
  };
  add(__builtin_cpu_supports("sse"), "sse");
  add(__builtin_cpu_supports("sse2"), "sse2");
  add(__builtin_cpu_supports("avx"), "avx");
  add(__builtin_cpu_supports("avx2"), "avx2");
  add(__builtin_cpu_supports("fma"), "fma");
  add(__builtin_cpu_supports("avx512f"), "avx512f");
  add(__builtin_cpu_supports("avx512vl"), "avx512vl");
  add(__builtin_cpu_supports("avx512vpopcntdq"), "avx512vpopcntdq");
#endif
  return flags;
}

// RunningEnvironmentTelemetry (details_level >= 1).
Json SystemTelemetry() {
  Json s = Json::MakeObject();
  std::string id = OsRelease("ID"), version = OsRelease("VERSION_ID");
  s.Set("distribution", id.empty() ? Json() : Json(id));
  s.Set("distribution_version", version.empty() ? Json() : Json(version));
  s.Set("is_docker", Json(::access("/.dockerenv", F_OK) == 0));
  s.Set("cores", Json(static_cast<uint64_t>(std::max(1u, std::thread::hardware_concurrency()))));
  struct sysinfo info {};
  if (sysinfo(&info) == 0) {
    s.Set("ram_size", Json(static_cast<uint64_t>(info.totalram) * info.mem_unit / 1024));
  }
  s.Set("cpu_flags", Json(CpuFlags()));
  s.Set("cpu_endian", Json(std::endian::native == std::endian::little ? "little" : "big"));
  return s;
}

Json AppTelemetry(const Monitoring& monitoring, int level, const std::string& version) {
  Json app = Json::MakeObject();
  app.Set("name", Json(kAppName));
  app.Set("version", Json(version));
  if (level >= 1) {
#ifdef NDEBUG
    const bool debug = false;
#else
    const bool debug = true;
#endif
    app.Set("features", Json(Json::Object{{"debug", Json(debug)},
                                          {"service_debug_feature", Json(false)},
                                          {"recovery_mode", Json(false)},
                                          {"gpu", Json(false)},
                                          {"rocksdb", Json(true)},
                                          {"staging", Json(false)}}));
    app.Set("system", SystemTelemetry());
  }
  app.Set("startup", Json(audit::FormatTimestamp(monitoring.startup_ms())));
  return app;
}

// One collection: aggregated (level 1) or full (level >= 2).
Json CollectionTelemetry(const CollectionCounts& c, const Monitoring& monitoring, int level,
                         bool anonymize) {
  const Json info = c.collection->Info();
  const Json* config = info.Find("config");
  const Json* params = config ? config->Find("params") : nullptr;
  if (level < 2) {
    return Json(Json::Object{{"vectors", Json(c.vectors_total())},
                             {"optimizers_status", Json("ok")},
                             {"params", params ? *params : Json::MakeObject()}});
  }
  Json local(Json::Object{{"variant_name", Json("local")},
                          {"status", Json("green")},
                          {"total_optimized_points", Json(0)},
                          {"num_points", Json(c.points)},
                          {"num_vectors", Json(c.vectors_total())}});
  Json by_name = Json::MakeObject();
  for (const auto& [name, n] : c.vectors) by_name.Set(name, Json(n));
  local.Set("num_vectors_by_name", std::move(by_name));
  Json shard(Json::Object{
      {"id", Json(0)},
      {"local", std::move(local)},
      {"remote", Json::MakeArray()},
      {"replicate_states",
       Json(Json::Object{{std::to_string(monitoring.peer_id()), Json("Active")}})},
  });
  Json out = Json::MakeObject();
  out.Set("id", Json(anonymize ? AnonymizedName(c.name) : c.name));
  if (config != nullptr) out.Set("config", *config);
  out.Set("shards", Json(Json::Array{std::move(shard)}));
  out.Set("transfers", Json::MakeArray());
  out.Set("resharding", Json::MakeArray());
  return out;
}

// WebApiTelemetry.responses: "METHOD pattern" -> "status" -> OperationDurationStatistics.
Json RestResponses(const RequestMetrics::Snapshot& snap, int level) {
  Json responses = Json::MakeObject();
  for (const auto& [endpoint, by_status] : snap.responses) {
    Json statuses = Json::MakeObject();
    for (const auto& [status, s] : by_status) {
      Json stats = Json::MakeObject();
      stats.Set("count", Json(s.count));
      if (s.count > 0)
        stats.Set("avg_duration_micros", Json::Float(static_cast<float>(s.avg_micros)));
      if (level >= 1) {
        if (s.count > 0) {
          stats.Set("min_duration_micros", Json::Float(static_cast<float>(s.min_micros)));
          stats.Set("max_duration_micros", Json::Float(static_cast<float>(s.max_micros)));
        }
        stats.Set("total_duration_micros", Json(s.total_micros));
        stats.Set("last_responded", Json(audit::FormatTimestamp(s.last_responded_ms)));
      }
      statuses.Set(std::to_string(status), std::move(stats));
    }
    responses.Set(endpoint, std::move(statuses));
  }
  return responses;
}

}  // namespace

Json BuildTelemetry(Catalog& catalog, const Monitoring& monitoring, const auth::Access& access,
                    int details_level, bool anonymize, const std::string& version) {
  const bool global = access.global != auth::Access::Global::kNone;
  Json out = Json::MakeObject();
  out.Set("id", Json(monitoring.telemetry_id()));
  out.Set("app", AppTelemetry(monitoring, details_level, version));

  std::vector<CollectionCounts> counts;
  if (details_level >= 1) {
    counts = CountCollections(catalog, access);
  } else {
    for (const std::string& name : catalog.List()) {
      if (auth::CanSee(access, name)) counts.push_back(CollectionCounts{name, nullptr, 0, {}});
    }
  }
  Json collections = Json::MakeObject();
  collections.Set("number_of_collections", Json(static_cast<uint64_t>(counts.size())));
  if (details_level >= 1) {
    Json list = Json::MakeArray();
    for (const CollectionCounts& c : counts) {
      list.Push(CollectionTelemetry(c, monitoring, details_level, anonymize));
    }
    collections.Set("collections", std::move(list));
  }
  out.Set("collections", std::move(collections));

  if (global) {
    out.Set("cluster",
            Json(Json::Object{{"enabled", Json(false)}, {"resharding_enabled", Json(false)}}));
    Json rest(
        Json::Object{{"responses", RestResponses(monitoring.requests().Take(), details_level)}});
    Json grpc(Json::Object{{"responses", Json::MakeObject()}});
    out.Set("requests", Json(Json::Object{{"rest", std::move(rest)}, {"grpc", std::move(grpc)}}));
  }
  return out;
}

}  // namespace quiver::rest
