#include "api/rest/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <thread>

namespace quiver::rest {

const char* AuthFailureName(AuthFailure reason) {
  switch (reason) {
    case AuthFailure::kMissing:
      return "missing";
    case AuthFailure::kInvalid:
      return "invalid";
    case AuthFailure::kExpired:
      return "expired";
    case AuthFailure::kValueExists:
      return "value_exists";
    case AuthFailure::kForbidden:
      return "forbidden";
  }
  return "invalid";
}

namespace {

// Methods are labels: an unknown one (a client may send any token) is folded into "OTHER", so
// that the number of series stays bounded.
std::string_view KnownMethod(std::string_view method) {
  static constexpr std::string_view kMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                  "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view m : kMethods) {
    if (m == method) return m;
  }
  return "OTHER";
}

// Qdrant's calculate_avg: over the latest durations in order, the mean of the sliding means of
// up to 9 values (the value and the 8 before it).
double RecentAverage(const std::vector<float>& data) {
  if (data.empty()) return 0;
  constexpr size_t kWindow = 8;  // SLIDING_WINDOW_LEN
  double sum_of_means = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    size_t from = i >= kWindow ? i - kWindow : 0;
    double s = 0;
    for (size_t j = from; j <= i; ++j) s += data[j];
    sum_of_means += s / static_cast<double>(i - from + 1);
  }
  return sum_of_means / static_cast<double>(data.size());
}

void Merge(const ResponseStats& from, ResponseStats* into) {
  if (from.count > 0) {
    if (into->count == 0) {
      into->min_micros = from.min_micros;
      into->max_micros = from.max_micros;
      into->avg_micros = from.avg_micros;
    } else {
      into->min_micros = std::min(into->min_micros, from.min_micros);
      into->max_micros = std::max(into->max_micros, from.max_micros);
      // Qdrant merges the workers' averages weighted by their counts.
      into->avg_micros = (into->avg_micros * static_cast<double>(into->count) +
                          from.avg_micros * static_cast<double>(from.count)) /
                         static_cast<double>(into->count + from.count);
    }
  }
  into->count += from.count;
  into->total_micros += from.total_micros;
  for (size_t i = 0; i < into->buckets.size(); ++i) into->buckets[i] += from.buckets[i];
  into->last_responded_ms = std::max(into->last_responded_ms, from.last_responded_ms);
}

}  // namespace

size_t RequestMetrics::KeyHash::operator()(const Key& k) const {
  size_t h = std::hash<std::string_view>()(k.endpoint);
  h ^= std::hash<std::string_view>()(k.method) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h ^ (static_cast<size_t>(k.status) * 0x100000001b3ULL);
}

RequestMetrics::RequestMetrics() = default;

RequestMetrics::Shard& RequestMetrics::MyShard() const {
  static thread_local const size_t index =
      std::hash<std::thread::id>()(std::this_thread::get_id()) % kShards;
  return shards_[index];
}

void RequestMetrics::RecordResponse(std::string_view method, std::string_view endpoint, int status,
                                    std::chrono::microseconds elapsed, int64_t now_ms) {
  const double micros = static_cast<double>(elapsed.count());
  const double seconds = micros / 1e6;
  Shard& shard = MyShard();
  std::lock_guard lock(shard.mu);
  Aggregator& a = shard.by_key[Key{KnownMethod(method), endpoint, status}];
  ResponseStats& s = a.stats;
  s.min_micros = s.count == 0 ? micros : std::min(s.min_micros, micros);
  s.max_micros = s.count == 0 ? micros : std::max(s.max_micros, micros);
  ++s.count;
  s.total_micros += static_cast<uint64_t>(elapsed.count());
  for (size_t i = 0; i < kDurationBucketsSeconds.size(); ++i) {
    if (seconds <= kDurationBucketsSeconds[i]) {
      ++s.buckets[i];
      break;
    }
  }
  s.last_responded_ms = std::max(s.last_responded_ms, now_ms);
  a.recent[a.next] = static_cast<float>(micros);
  if (++a.next == kRecent) {
    a.next = 0;
    a.wrapped = true;
  }
}

void RequestMetrics::RecordAuthFailure(AuthFailure reason) {
  Shard& shard = MyShard();
  std::lock_guard lock(shard.mu);
  ++shard.auth_failures[static_cast<size_t>(reason)];
}

RequestMetrics::Snapshot RequestMetrics::Take() const {
  Snapshot snap;
  std::vector<float> ordered;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (size_t i = 0; i < shard.auth_failures.size(); ++i) {
      snap.auth_failures[i] += shard.auth_failures[i];
    }
    for (const auto& [key, a] : shard.by_key) {
      ResponseStats stats = a.stats;
      ordered.clear();
      if (a.wrapped) ordered.insert(ordered.end(), a.recent.begin() + a.next, a.recent.end());
      ordered.insert(ordered.end(), a.recent.begin(), a.recent.begin() + a.next);
      stats.avg_micros = RecentAverage(ordered);
      std::string name(key.method);
      name.append(" ").append(key.endpoint);
      Merge(stats, &snap.responses[name][key.status]);
    }
  }
  return snap;
}

// ---------------------------------------------------------------------------------------------

std::string FormatPrometheusValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

void PrometheusText::Family(std::string_view name, std::string_view help, std::string_view type) {
  out_.append("# HELP ").append(name).append(" ");
  for (char c : help) {
    if (c == '\\') {
      out_.append("\\\\");
    } else if (c == '\n') {
      out_.append("\\n");
    } else {
      out_.push_back(c);
    }
  }
  out_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void PrometheusText::AppendLabels(const Labels& labels, std::string_view le) {
  if (labels.empty() && le.empty()) return;
  out_.push_back('{');
  bool first = true;
  auto one = [&](std::string_view name, std::string_view value) {
    if (!first) out_.push_back(',');
    first = false;
    out_.append(name).append("=\"");
    for (char c : value) {
      if (c == '\\') {
        out_.append("\\\\");
      } else if (c == '"') {
        out_.append("\\\"");
      } else if (c == '\n') {
        out_.append("\\n");
      } else {
        out_.push_back(c);
      }
    }
    out_.push_back('"');
  };
  for (const auto& [name, value] : labels) one(name, value);
  if (!le.empty()) one("le", le);
  out_.push_back('}');
}

void PrometheusText::Sample(std::string_view name, const Labels& labels, double value) {
  out_.append(name);
  AppendLabels(labels, "");
  out_.append(" ").append(FormatPrometheusValue(value)).append("\n");
}

void PrometheusText::Histogram(std::string_view name, const Labels& labels,
                               std::span<const double> bounds, std::span<const uint64_t> buckets,
                               uint64_t count, double sum) {
  uint64_t cumulative = 0;
  std::string bucket_name(name);
  bucket_name.append("_bucket");
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += i < buckets.size() ? buckets[i] : 0;
    out_.append(bucket_name);
    AppendLabels(labels, FormatPrometheusValue(bounds[i]));
    out_.append(" ").append(FormatPrometheusValue(static_cast<double>(cumulative))).append("\n");
  }
  out_.append(bucket_name);
  AppendLabels(labels, "+Inf");
  out_.append(" ").append(FormatPrometheusValue(static_cast<double>(count))).append("\n");
  out_.append(name).append("_sum");
  AppendLabels(labels, "");
  out_.append(" ").append(FormatPrometheusValue(sum)).append("\n");
  out_.append(name).append("_count");
  AppendLabels(labels, "");
  out_.append(" ").append(FormatPrometheusValue(static_cast<double>(count))).append("\n");
}

void PrometheusText::Single(std::string_view name, std::string_view help, std::string_view type,
                            double value) {
  Family(name, help, type);
  Sample(name, {}, value);
}

}  // namespace quiver::rest
