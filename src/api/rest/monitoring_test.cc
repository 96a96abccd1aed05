// The monitoring routes through RestApi::Handle: request metrics, the issues report kept current
// by the dispatch hook, the logger, the cluster routes of a node without a cluster.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/rest/rest_api.h"
#include "common/testing/fresh_test_dir.h"

namespace quiver::rest {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr char kKey[] = "monitoring-test-key-0123456789abcdef";
constexpr char kReadOnlyKey[] = "monitoring-test-ro-key-0123456789abcd";

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
  Json json;
  const Json& result() const {
    static const Json kNull;
    const Json* r = json.Find("result");
    return r ? *r : kNull;
  }
};

class MonitoringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDir("monitoring");
    auto c = Catalog::Open(dir_.string(), BuiltinCollectionDefaults());
    ASSERT_TRUE(c.ok()) << c.status().message();
    catalog_ = std::move(c).value();
    Start({});
  }
  void TearDown() override {
    api_.reset();
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(MonitoringOptions options, const auth::Authenticator* authenticator = nullptr) {
    SecurityOptions security;
    security.authenticator = authenticator;
    api_ = std::make_unique<RestApi>(catalog_.get(), ServiceInfo{"1.19.0", "abc"}, security);
    api_->monitoring().Configure(std::move(options));
  }

  Answer Call(std::string method, std::string target, std::string body = "",
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    request.headers = std::move(headers);
    request.remote_address = "127.0.0.1";
    HttpResponse response = api_->Handle(request);
    Answer a{response.status, response.content_type, response.body, Json()};
    if (response.content_type == "application/json") {
      auto j = Json::Parse(response.body);
      if (j.ok()) a.json = *j;
    }
    return a;
  }

  void CreateSample(const std::string& name) {
    ASSERT_EQ(Call("PUT", "/collections/" + name, R"({"vectors": {"size": 2, "distance": "Dot"}})")
                  .status,
              200);
    ASSERT_EQ(
        Call("PUT", "/collections/" + name + "/points?wait=true",
             R"({"points": [{"id": 1, "vector": [1, 0], "payload": {"city": "Berlin", "n": 1}},
                                  {"id": 2, "vector": [0, 1], "payload": {"city": "Paris", "n": 2}}]})")
            .status,
        200);
  }

  std::vector<std::string> IssueIds() {
    Answer a = Call("GET", "/issues");
    EXPECT_EQ(a.status, 200) << a.body;
    std::vector<std::string> ids;
    for (const Json& i : a.result().Find("issues")->as_array())
      ids.push_back(i.Find("id")->as_string());
    return ids;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(MonitoringTest, MetricsCountAnsweredRequestsByRoutePattern) {
  CreateSample("c1");
  Call("GET", "/collections");
  Call("GET", "/collections");
  Call("GET", "/collections/nope");
  Call("GET", "/no/such/route");
  Answer m = Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(
      m.body,
      HasSubstr(
          "rest_responses_total{method=\"GET\",endpoint=\"/collections\",status=\"200\"} 2\n"));
  EXPECT_THAT(m.body, HasSubstr("rest_responses_total{method=\"GET\",endpoint=\"/collections/"
                                "{collection_name}\",status=\"404\"} 1\n"));
  EXPECT_THAT(
      m.body,
      HasSubstr("rest_responses_total{method=\"GET\",endpoint=\"unknown\",status=\"404\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("rest_responses_duration_seconds_count{method=\"GET\",endpoint=\"/"
                                "collections\",status=\"200\"} 2\n"));
  // Timings only for status 200, as Qdrant.
  EXPECT_THAT(
      m.body,
      Not(HasSubstr("rest_responses_avg_duration_seconds{method=\"GET\",endpoint=\"unknown\"")));
  EXPECT_THAT(m.body, HasSubstr("collections_total 1\n"));
  EXPECT_THAT(m.body, HasSubstr("collection_points{id=\"c1\"} 2\n"));
  EXPECT_THAT(m.body, HasSubstr("collection_vectors{collection=\"c1\",vector=\"\"} 2\n"));
  EXPECT_THAT(m.body, HasSubstr("app_info{name=\"quiver\",version=\"1.19.0\"} 1\n"));
  // anonymize: names replaced by stand-ins.
  Answer anon = Call("GET", "/metrics?anonymize=true");
  EXPECT_THAT(anon.body, Not(HasSubstr("\"c1\"")));
  EXPECT_THAT(anon.body, HasSubstr("collection_points{id=\"" + AnonymizedName("c1") + "\"} 2\n"));
  EXPECT_EQ(Call("GET", "/metrics?anonymize=maybe").status, 400);
}

TEST_F(MonitoringTest, MetricsPrefixApplies) {
  Start(MonitoringOptions{1.2, "qdrant_"});
  Answer m = Call("GET", "/metrics");
  EXPECT_THAT(m.body,
              HasSubstr("# TYPE qdrant_collections_total gauge\nqdrant_collections_total 0\n"));
  EXPECT_THAT(m.body, Not(HasSubstr("\ncollections_total")));
}

TEST_F(MonitoringTest, AuthenticationFailuresByReason) {
  auth::Authenticator authenticator(auth::KeySettings{kKey, "", kReadOnlyKey, false});
  Start({}, &authenticator);
  Call("GET", "/collections");                                    // missing
  Call("GET", "/collections", "", {{"api-key", "wrong"}});        // invalid
  Call("GET", "/collections", "", {{"api-key", "wrong-again"}});  // invalid
  Call("DELETE", "/issues", "", {{"api-key", kReadOnlyKey}});     // forbidden
  Answer m = Call("GET", "/metrics", "", {{"api-key", kReadOnlyKey}});
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_THAT(m.body, HasSubstr("quiver_auth_failures_total{reason=\"missing\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("quiver_auth_failures_total{reason=\"invalid\"} 2\n"));
  EXPECT_THAT(m.body, HasSubstr("quiver_auth_failures_total{reason=\"forbidden\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("quiver_auth_failures_total{reason=\"expired\"} 0\n"));
  EXPECT_THAT(
      m.body,
      HasSubstr(
          "rest_responses_total{method=\"GET\",endpoint=\"/collections\",status=\"401\"} 3\n"));
}

TEST_F(MonitoringTest, SlowFilteredReadsRaiseUnindexedFieldIssuesUntilSolved) {
  Start(MonitoringOptions{0.0, ""});  // every read counts as slow
  CreateSample("c1");
  EXPECT_TRUE(IssueIds().empty());
  ASSERT_EQ(Call("POST", "/collections/c1/points/scroll",
                 R"({"filter": {"must": [{"key": "city", "match": {"value": "Berlin"}}]}})")
                .status,
            200);
  ASSERT_EQ(
      Call(
          "POST", "/collections/c1/points/query",
          R"({"query": [1, 0], "prefetch": {"filter": {"must": [{"key": "n", "range": {"gt": 0}}]}}})")
          .status,
      200);
  EXPECT_EQ(IssueIds(),
            (std::vector<std::string>{"UNINDEXED_FIELD/c1/city", "UNINDEXED_FIELD/c1/n"}));
  Answer list = Call("GET", "/issues");
  const Json& issue = list.result().Find("issues")->as_array()[0];
  EXPECT_EQ(issue.Find("related_collection")->as_string(), "c1");
  EXPECT_TRUE(issue.Find("timestamp")->is_string());
  EXPECT_NE(issue.Find("solution")->Find("immediate"), nullptr) << list.body;

  // An index on the field solves its issue; deleting the collection solves the rest.
  ASSERT_EQ(Call("PUT", "/collections/c1/index?wait=true",
                 R"({"field_name": "city", "field_schema": "keyword"})")
                .status,
            200);
  EXPECT_EQ(IssueIds(), (std::vector<std::string>{"UNINDEXED_FIELD/c1/n"}));
  ASSERT_EQ(Call("POST", "/collections/c1/points/count",
                 R"({"filter": {"must": [{"key": "city", "match": {"value": "Paris"}}]}})")
                .status,
            200);
  EXPECT_EQ(IssueIds(), (std::vector<std::string>{"UNINDEXED_FIELD/c1/n"}));  // now indexed
  ASSERT_EQ(Call("DELETE", "/collections/c1").status, 200);
  EXPECT_TRUE(IssueIds().empty());

  CreateSample("c2");
  Call("POST", "/collections/c2/points/count",
       R"({"filter": {"must": [{"key": "n", "match": {"value": 1}}]}})");
  EXPECT_EQ(IssueIds().size(), 1u);
  Answer cleared = Call("DELETE", "/issues");
  EXPECT_EQ(cleared.result(), Json(true));
  EXPECT_TRUE(IssueIds().empty());
}

TEST_F(MonitoringTest, FastReadsRaiseNoIssue) {
  CreateSample("c1");  // default threshold: 1.2 s
  Call("POST", "/collections/c1/points/scroll",
       R"({"filter": {"must": [{"key": "city", "match": {"value": "x"}}]}})");
  EXPECT_TRUE(IssueIds().empty());
}

TEST_F(MonitoringTest, LoggerLevelChangesAtRunTime) {
  const spdlog::level::level_enum before = spdlog::get_level();
  spdlog::set_level(spdlog::level::info);
  EXPECT_EQ(Call("GET", "/logger").result().Find("log_level")->as_string(), "INFO");
  Answer set = Call("POST", "/logger", R"({"log_level": "debug"})");
  EXPECT_EQ(set.result(), Json(true)) << set.body;
  EXPECT_EQ(spdlog::get_level(), spdlog::level::debug);
  EXPECT_EQ(Call("GET", "/logger").result().Find("log_level")->as_string(), "DEBUG");
  // A tracing filter: the bare level counts, targets are checked and ignored.
  EXPECT_EQ(Call("POST", "/logger", R"({"log_level": "hyper=warn, error"})").status, 200);
  EXPECT_EQ(spdlog::get_level(), spdlog::level::err);
  for (const char* bad :
       {R"({"log_level": "loud"})", R"({"log_level": "info,x=nope"})", R"({"log_level": 3})",
        R"({"format": "json"})", R"({"on_disk": {"enabled": true}})", "[]"}) {
    Answer a = Call("POST", "/logger", bad);
    EXPECT_EQ(a.status, 400) << bad << " " << a.body;
    EXPECT_NE(a.json.Find("status")->Find("error"), nullptr) << a.body;
  }
  EXPECT_EQ(spdlog::get_level(), spdlog::level::err);  // refusals change nothing
  EXPECT_EQ(Call("POST", "/logger", R"({"log_level": null, "format": null})").status, 200);
  EXPECT_EQ(spdlog::get_level(), spdlog::level::err);
  spdlog::set_level(before);
}

TEST_F(MonitoringTest, ClusterRoutesOfAStandaloneNode) {
  CreateSample("c1");
  EXPECT_EQ(Call("GET", "/cluster").result().Dump(), R"({"status":"disabled"})");
  Answer info = Call("GET", "/collections/c1/cluster");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.result().Find("peer_id")->as_int(),
            static_cast<int64_t>(api_->monitoring().peer_id()));
  EXPECT_EQ(info.result().Find("local_shards")->Dump(),
            R"([{"shard_id":0,"points_count":2,"state":"Active"}])");
  EXPECT_EQ(Call("GET", "/collections/nope/cluster").status, 404);
  for (auto [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/cluster/recover", ""},
           {"DELETE", "/cluster/peer/7", ""},
           {"POST", "/collections/c1/cluster",
            R"({"move_shard": {"shard_id": 0, "from_peer_id": 1, "to_peer_id": 2}})"}}) {
    Answer a = Call(method, target, body);
    EXPECT_EQ(a.status, 405) << target;
    EXPECT_EQ(a.json.Find("status")->Find("error")->as_string(),
              "Qdrant is running in standalone mode");
    EXPECT_TRUE(a.json.Find("time")->is_number());
  }
  EXPECT_EQ(Call("POST", "/collections/c1/cluster").status, 400);  // no body
}

TEST_F(MonitoringTest, TelemetryLevels) {
  CreateSample("c1");
  Answer t0 = Call("GET", "/telemetry");
  ASSERT_EQ(t0.status, 200);
  EXPECT_EQ(t0.result().Find("id")->as_string(), api_->monitoring().telemetry_id());
  EXPECT_EQ(t0.result().Find("collections")->Dump(), R"({"number_of_collections":1})");
  EXPECT_EQ(t0.result().Find("app")->Find("system"), nullptr);
  const Json* rest = t0.result().Find("requests")->Find("rest")->Find("responses");
  EXPECT_EQ(rest->Find("PUT /collections/{collection_name}")->Find("200")->Find("count")->as_int(),
            1);
  Answer t2 = Call("GET", "/telemetry?details_level=2&anonymize=true");
  const Json& c = t2.result().Find("collections")->Find("collections")->as_array().at(0);
  EXPECT_EQ(c.Find("id")->as_string(), AnonymizedName("c1"));
  EXPECT_EQ(c.Find("shards")->as_array().at(0).Find("local")->Find("num_points")->as_int(), 2);
  EXPECT_NE(t2.result().Find("app")->Find("system"), nullptr);
  EXPECT_EQ(Call("GET", "/telemetry?details_level=-1").status, 400);
}

}  // namespace
}  // namespace quiver::rest
