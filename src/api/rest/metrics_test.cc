#include "api/rest/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace quiver::rest {
namespace {

using std::chrono::microseconds;
using testing::HasSubstr;

TEST(FormatPrometheusValue, IntegersPlainOthersShortest) {
  EXPECT_EQ(FormatPrometheusValue(0), "0");
  EXPECT_EQ(FormatPrometheusValue(42), "42");
  EXPECT_EQ(FormatPrometheusValue(-3), "-3");
  EXPECT_EQ(FormatPrometheusValue(0.5), "0.5");
  EXPECT_EQ(FormatPrometheusValue(0.001), "0.001");
  EXPECT_EQ(FormatPrometheusValue(1e20), "1e+20");
  EXPECT_EQ(FormatPrometheusValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPrometheusValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatPrometheusValue(std::nan("")), "NaN");
}

TEST(PrometheusText, FamilyHeadersSamplesAndEscaping) {
  PrometheusText t;
  t.Family("x_total", "help with \\ and\nnewline", "counter");
  t.Sample("x_total", {{"a", "plain"}, {"b", "q\"uo\\te\nd"}}, 3);
  t.Single("y", "a gauge", "gauge", 0.25);
  EXPECT_EQ(t.text(),
            "# HELP x_total help with \\\\ and\\nnewline\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"plain\",b=\"q\\\"uo\\\\te\\nd\"} 3\n"
            "# HELP y a gauge\n"
            "# TYPE y gauge\n"
            "y 0.25\n");
}

TEST(PrometheusText, HistogramIsCumulativeAndInfEqualsCount) {
  PrometheusText t;
  const double bounds[] = {0.1, 1};
  const uint64_t buckets[] = {2, 3};  // non-cumulative; 1 more above the last bound
  t.Histogram("h", {{"k", "v"}}, bounds, buckets, 6, 4.5);
  EXPECT_EQ(t.text(),
            "h_bucket{k=\"v\",le=\"0.1\"} 2\n"
            "h_bucket{k=\"v\",le=\"1\"} 5\n"
            "h_bucket{k=\"v\",le=\"+Inf\"} 6\n"
            "h_sum{k=\"v\"} 4.5\n"
            "h_count{k=\"v\"} 6\n");
}

TEST(RequestMetrics, StatisticsPerMethodEndpointAndStatus) {
  RequestMetrics m;
  m.RecordResponse("GET", "/collections", 200, microseconds(100), 1000);
  m.RecordResponse("GET", "/collections", 200, microseconds(200), 2000);
  m.RecordResponse("GET", "/collections", 200, microseconds(300), 1500);
  m.RecordResponse("GET", "/collections", 401, microseconds(10), 3000);
  m.RecordResponse("POST", "/collections", 200, microseconds(7), 3000);
  RequestMetrics::Snapshot s = m.Take();
  ASSERT_EQ(s.responses.size(), 2u);
  const ResponseStats& ok = s.responses["GET /collections"][200];
  EXPECT_EQ(ok.count, 3u);
  EXPECT_EQ(ok.total_micros, 600u);
  EXPECT_EQ(ok.min_micros, 100);
  EXPECT_EQ(ok.max_micros, 300);
  EXPECT_EQ(ok.last_responded_ms, 2000);
  // Qdrant's average: sliding means 100, 150, 200, then their mean.
  EXPECT_DOUBLE_EQ(ok.avg_micros, 150);
  EXPECT_EQ(ok.buckets[0], 3u);  // all under 1 ms
  EXPECT_EQ(s.responses["GET /collections"][401].count, 1u);
  EXPECT_EQ(s.responses["POST /collections"][200].count, 1u);
}

TEST(RequestMetrics, BucketBoundsAreInclusiveAndLongOnesOnlyCount) {
  RequestMetrics m;
  m.RecordResponse("GET", "/x", 200, microseconds(1000), 0);        // le 0.001
  m.RecordResponse("GET", "/x", 200, microseconds(1001), 0);        // le 0.005
  m.RecordResponse("GET", "/x", 200, microseconds(50'000'000), 0);  // le 50
  m.RecordResponse("GET", "/x", 200, microseconds(60'000'000), 0);  // only +Inf
  const ResponseStats s = m.Take().responses["GET /x"][200];  // a copy: Take() is a temporary
  EXPECT_EQ(s.count, 4u);
  EXPECT_EQ(s.buckets[0], 1u);
  EXPECT_EQ(s.buckets[1], 1u);
  EXPECT_EQ(s.buckets[10], 1u);
  uint64_t in_buckets = 0;
  for (uint64_t b : s.buckets) in_buckets += b;
  EXPECT_EQ(in_buckets, 3u);
}

TEST(RequestMetrics, AverageCoversTheLatest128Only) {
  RequestMetrics m;
  for (int i = 0; i < 1000; ++i) m.RecordResponse("GET", "/x", 200, microseconds(5000), 0);
  for (int i = 0; i < 128; ++i) m.RecordResponse("GET", "/x", 200, microseconds(10), 0);
  const ResponseStats s = m.Take().responses["GET /x"][200];  // a copy: Take() is a temporary
  EXPECT_EQ(s.count, 1128u);
  EXPECT_NEAR(s.avg_micros, 10, 1e-9);
  EXPECT_EQ(s.max_micros, 5000);
}

TEST(RequestMetrics, UnknownMethodsAreFoldedIntoOther) {
  RequestMetrics m;
  m.RecordResponse("BREW", "unknown", 405, microseconds(1), 0);
  m.RecordResponse("WHATEVER", "unknown", 405, microseconds(1), 0);
  RequestMetrics::Snapshot s = m.Take();
  ASSERT_EQ(s.responses.size(), 1u);
  EXPECT_EQ(s.responses.begin()->first, "OTHER unknown");
  EXPECT_EQ(s.responses.begin()->second.at(405).count, 2u);
}

TEST(RequestMetrics, ConcurrentRecordingLosesNothing) {
  RequestMetrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 2000; ++i) {
        m.RecordResponse("GET", "/x", 200, microseconds(i % 3000), i);
        if (i % 100 == 0) m.RecordAuthFailure(AuthFailure::kMissing);
      }
    });
  }
  for (int i = 0; i < 20; ++i) (void)m.Take();  // readers meanwhile
  for (auto& t : threads) t.join();
  RequestMetrics::Snapshot s = m.Take();
  const ResponseStats& st = s.responses["GET /x"][200];
  EXPECT_EQ(st.count, 16000u);
  EXPECT_EQ(st.min_micros, 0);
  EXPECT_EQ(st.max_micros, 1999);
  EXPECT_EQ(st.last_responded_ms, 1999);
  EXPECT_EQ(s.auth_failures[static_cast<size_t>(AuthFailure::kMissing)], 160u);
  EXPECT_EQ(s.auth_failures[static_cast<size_t>(AuthFailure::kForbidden)], 0u);
}

TEST(AuthFailureName, EveryReasonHasALabel) {
  std::vector<std::string> names;
  for (AuthFailure r : kAllAuthFailures) names.push_back(AuthFailureName(r));
  EXPECT_THAT(names,
              testing::ElementsAre("missing", "invalid", "expired", "value_exists", "forbidden"));
}

}  // namespace
}  // namespace quiver::rest
