// GET /metrics: Qdrant's metric families (src/common/metrics.rs in Qdrant) that a single node
// without a cluster has, plus Quiver's authentication failures. Families without samples are
// left out, as Qdrant does.
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "api/rest/monitoring.h"
#include "auth/access.h"

namespace quiver::rest {
namespace {

// Linux /proc figures (Qdrant's procfs_metrics); each is absent when it cannot be read.
struct ProcessFigures {
  std::optional<uint64_t> threads, open_fds, max_fds, mmaps, system_max_mmaps;
  std::optional<uint64_t> minor_faults, major_faults;
};

ProcessFigures ReadProcessFigures() {
  ProcessFigures p;
  {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Threads:", 0) == 0) p.threads = std::stoull(line.substr(8));
    }
  }
  {
    std::error_code ec;
    uint64_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
      ++n;
    }
    if (!ec) p.open_fds = n;
  }
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    // As Qdrant: the smaller finite one of soft and hard, 0 when both are unlimited.
    uint64_t soft = limit.rlim_cur, hard = limit.rlim_max;
    bool soft_inf = limit.rlim_cur == RLIM_INFINITY, hard_inf = limit.rlim_max == RLIM_INFINITY;
    p.max_fds = soft_inf ? (hard_inf ? 0 : hard) : (hard_inf ? soft : std::min(soft, hard));
  }
  {
    std::ifstream maps("/proc/self/maps");
    if (maps) {
      uint64_t n = 0;
      std::string line;
      while (std::getline(maps, line)) ++n;
      p.mmaps = n;
    }
  }
  {
    std::ifstream max_map("/proc/sys/vm/max_map_count");
    uint64_t v;
    if (max_map >> v) p.system_max_mmaps = v;
  }
  {
    // /proc/self/stat: after "pid (comm) ", field 3 is the state; minflt is field 10, cminflt
    // 11, majflt 12, cmajflt 13. comm may hold spaces, so fields count from the last ')'.
    std::ifstream stat("/proc/self/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t close = all.rfind(')');
    if (close != std::string::npos) {
      std::istringstream fields(all.substr(close + 1));
      std::vector<std::string> f;
      std::string token;
      while (fields >> token) f.push_back(token);
      if (f.size() > 10) {  // f[0] is field 3 (state)
        p.minor_faults = std::stoull(f[7]) + std::stoull(f[8]);
        p.major_faults = std::stoull(f[9]) + std::stoull(f[10]);
      }
    }
  }
  return p;
}

class Writer {
 public:
  explicit Writer(std::string prefix) : prefix_(std::move(prefix)) {}

  void Single(const char* name, const char* help, const char* type, double value) {
    out_.Single(Name(name), help, type, value);
  }
  void Optional(const char* name, const char* help, const char* type,
                const std::optional<uint64_t>& value) {
    if (value) Single(name, help, type, static_cast<double>(*value));
  }
  // One labelled sample per element of `values`; nothing when it is empty.
  void PerLabel(const char* name, const char* help, const char* type,
                const std::vector<std::pair<PrometheusText::Labels, double>>& values) {
    if (values.empty()) return;
    std::string n = Name(name);
    out_.Family(n, help, type);
    for (const auto& [labels, v] : values) out_.Sample(n, labels, v);
  }
  std::string Name(const char* name) const { return prefix_ + name; }
  PrometheusText& out() { return out_; }

 private:
  std::string prefix_;
  PrometheusText out_;
};

void RestFamilies(const RequestMetrics::Snapshot& snap, Writer* w) {
  struct Series {
    std::string method, endpoint, status;
    const ResponseStats* stats;
  };
  std::vector<Series> all;
  for (const auto& [key, by_status] : snap.responses) {
    size_t space = key.find(' ');
    for (const auto& [status, stats] : by_status) {
      all.push_back({key.substr(0, space), key.substr(space + 1), std::to_string(status), &stats});
    }
  }
  if (all.empty()) return;
  auto labels = [](const Series& s) {
    return PrometheusText::Labels{
        {"method", s.method}, {"endpoint", s.endpoint}, {"status", s.status}};
  };
  PrometheusText& out = w->out();
  const std::string total = w->Name("rest_responses_total");
  out.Family(total, "total number of responses", "counter");
  for (const Series& s : all) out.Sample(total, labels(s), static_cast<double>(s.stats->count));
  // As Qdrant, timings only for the answers with status 200.
  std::vector<const Series*> timed;
  for (const Series& s : all) {
    if (s.status == "200") timed.push_back(&s);
  }
  if (timed.empty()) return;
  const struct {
    const char* name;
    const char* help;
    double ResponseStats::*field;
  } kGauges[] = {
      {"rest_responses_avg_duration_seconds", "average response duration",
       &ResponseStats::avg_micros},
      {"rest_responses_min_duration_seconds", "minimum response duration",
       &ResponseStats::min_micros},
      {"rest_responses_max_duration_seconds", "maximum response duration",
       &ResponseStats::max_micros},
  };
  for (const auto& g : kGauges) {
    const std::string name = w->Name(g.name);
    out.Family(name, g.help, "gauge");
    for (const Series* s : timed) out.Sample(name, labels(*s), s->stats->*g.field / 1e6);
  }
  const std::string histogram = w->Name("rest_responses_duration_seconds");
  out.Family(histogram, "response duration histogram", "histogram");
  for (const Series* s : timed) {
    out.Histogram(histogram, labels(*s), kDurationBucketsSeconds, s->stats->buckets,
                  s->stats->count, static_cast<double>(s->stats->total_micros) / 1e6);
  }
}

}  // namespace

std::string BuildMetrics(Catalog& catalog, const Monitoring& monitoring, bool anonymize,
                         const std::string& version) {
  Writer w(monitoring.options().metrics_prefix);
  using Labelled = std::vector<std::pair<PrometheusText::Labels, double>>;

  w.PerLabel("app_info", "information about qdrant server", "gauge",
             Labelled{{{{"name", kAppName}, {"version", version}}, 1.0}});
  w.Single("app_status_recovery_mode", "features enabled in qdrant server", "gauge", 0);

  const auth::Access everything{
      auth::Access::Global::kManage, {}, std::nullopt, "", auth::AuthMethod::kNone};
  std::vector<CollectionCounts> counts = CountCollections(catalog, everything);
  std::vector<std::string> ids;  // label values: names, or their stand-ins with anonymize
  for (const CollectionCounts& c : counts)
    ids.push_back(anonymize ? AnonymizedName(c.name) : c.name);
  std::vector<std::string> vector_names;  // kept alive for the labels below
  for (const CollectionCounts& c : counts) {
    for (const auto& [name, n] : c.vectors) vector_names.push_back(name);
  }

  w.Single("collections_total", "number of collections", "gauge",
           static_cast<double>(counts.size()));
  uint64_t vectors = 0;
  Labelled by_vector, points, zero_per_collection;
  size_t vn = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    vectors += counts[i].vectors_total();
    for (const auto& [name, n] : counts[i].vectors) {
      by_vector.push_back(
          {{{"collection", ids[i]}, {"vector", vector_names[vn++]}}, static_cast<double>(n)});
    }
    points.push_back({{{"id", ids[i]}}, static_cast<double>(counts[i].points)});
    zero_per_collection.push_back({{{"id", ids[i]}}, 0.0});
  }
  w.Single("collections_vector_total", "total number of vectors in all collections", "gauge",
           static_cast<double>(vectors));
  w.PerLabel("collection_vectors", "amount of vectors grouped by vector name", "gauge", by_vector);
  // One local shard with one active replica per collection.
  const double replicas = counts.empty() ? 0 : 1;
  w.Single("collection_active_replicas_min", "minimum number of active replicas across all shards",
           "gauge", replicas);
  w.Single("collection_active_replicas_max", "maximum number of active replicas across all shards",
           "gauge", replicas);
  w.PerLabel("collection_running_optimizations",
             "number of currently running optimization tasks per collection", "gauge",
             zero_per_collection);
  w.PerLabel("collection_points", "approximate amount of points per collection", "gauge", points);
  w.Single("collection_dead_replicas", "total amount of shard replicas in non-active state",
           "gauge", 0);
  w.PerLabel("collection_shard_transfer_incoming", "incoming shard transfers currently running",
             "gauge", zero_per_collection);
  w.PerLabel("collection_shard_transfer_outgoing", "outgoing shard transfers currently running",
             "gauge", zero_per_collection);
  w.Single("cluster_enabled", "is cluster support enabled", "gauge", 0);

  const RequestMetrics::Snapshot snap = monitoring.requests().Take();
  RestFamilies(snap, &w);
  Labelled failures;
  for (AuthFailure reason : kAllAuthFailures) {
    failures.push_back({{{"reason", AuthFailureName(reason)}},
                        static_cast<double>(snap.auth_failures[static_cast<size_t>(reason)])});
  }
  w.PerLabel("quiver_auth_failures_total",
             "requests refused by authentication (missing, invalid, expired, value_exists) or "
             "authorization (forbidden)",
             "counter", failures);

  const ProcessFigures p = ReadProcessFigures();
  w.Optional("process_threads", "count of active threads", "gauge", p.threads);
  w.Optional("process_open_mmaps", "count of open mmaps", "gauge", p.mmaps);
  w.Optional("system_max_mmaps", "system wide limit of open mmaps", "gauge", p.system_max_mmaps);
  w.Optional("process_open_fds", "count of currently open file descriptors", "gauge", p.open_fds);
  w.Optional("process_max_fds", "limit for open file descriptors", "gauge", p.max_fds);
  w.Optional("process_minor_page_faults_total",
             "count of minor page faults which didn't cause a disk access", "counter",
             p.minor_faults);
  w.Optional("process_major_page_faults_total",
             "count of disk accesses caused by a mmap page fault", "counter", p.major_faults);
  return w.out().text();
}

}  // namespace quiver::rest
