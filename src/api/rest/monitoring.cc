#include "api/rest/monitoring.h"

#include <cstdio>
#include <random>

namespace quiver::rest {
namespace {

std::string RandomUuid(std::mt19937_64& rng) {
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                  // version 4
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

void CollectPrefetchFilters(const Json& prefetch, std::vector<const Json*>* out, int depth) {
  if (depth > 64) return;  // bodies are depth-limited by the parser anyway
  auto one = [&](const Json& p) {
    if (!p.is_object()) return;
    if (const Json* f = p.Find("filter"); f && f->is_object()) out->push_back(f);
    if (const Json* inner = p.Find("prefetch")) CollectPrefetchFilters(*inner, out, depth + 1);
  };
  if (prefetch.is_array()) {
    for (const Json& p : prefetch.as_array()) one(p);
  } else {
    one(prefetch);
  }
}

}  // namespace

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Monitoring::Monitoring(MonitoringOptions options)
    : options_(std::move(options)), startup_ms_(UnixMillisNow()) {
  std::random_device seed;
  std::mt19937_64 rng((static_cast<uint64_t>(seed()) << 32) ^ seed());
  telemetry_id_ = RandomUuid(rng);
  peer_id_ = rng() & ((uint64_t{1} << 53) - 1);
}

std::vector<const Json*> FiltersOfRequest(const Json& body) {
  std::vector<const Json*> out;
  if (!body.is_object()) return out;
  CollectPrefetchFilters(body, &out, 0);  // the body's own filter and prefetches
  if (const Json* searches = body.Find("searches"); searches && searches->is_array()) {
    for (const Json& s : searches->as_array()) CollectPrefetchFilters(s, &out, 0);
  }
  return out;
}

void Monitoring::AfterSuccess(Catalog& catalog, Operation op,
                              const std::map<std::string, std::string>& path, const Json& body,
                              double seconds) {
  auto name_it = path.find("collection_name");
  if (name_it == path.end()) return;
  switch (op) {
    case Operation::kSearchPoints:
    case Operation::kScrollPoints:
    case Operation::kCountPoints:
    case Operation::kFacet: {
      if (seconds <= options_.slow_query_secs) return;
      std::vector<const Json*> filters = FiltersOfRequest(body);
      if (filters.empty()) return;
      auto collection = catalog.Get(name_it->second);
      if (!collection.ok()) return;
      const Json info = (*collection)->Info();
      const Json* schema = info.Find("payload_schema");
      const Json empty = Json::MakeObject();
      const int64_t now = UnixMillisNow();
      for (const Json* f : filters) {
        for (IssueRecord& issue :
             UnindexedFieldIssues((*collection)->name(), *f, schema ? *schema : empty, now)) {
          issues_.Submit(std::move(issue));
        }
      }
      return;
    }
    case Operation::kCreatePayloadIndex: {
      const Json* field = body.Find("field_name");
      auto collection = catalog.Get(name_it->second);
      if (field && field->is_string() && collection.ok()) {
        issues_.Solve(UnindexedFieldIssueId((*collection)->name(), field->as_string()));
      }
      return;
    }
    case Operation::kDeleteCollection:
      issues_.SolveCollection(name_it->second);
      return;
    default:
      return;
  }
}

std::string AnonymizedName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace quiver::rest
