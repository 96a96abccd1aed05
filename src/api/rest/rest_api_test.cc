#include "api/rest/rest_api.h"

#include "common/testing/fresh_test_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace quiver::rest {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::StartsWith;

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
  Json json;  // the parsed body (null when it is not JSON)

  // The `result` of a success envelope, or the `status.error` message of an error one.
  const Json& result() const {
    static const Json kNull;
    const Json* r = json.Find("result");
    return r ? *r : kNull;
  }
  std::string error() const {
    const Json* s = json.Find("status");
    const Json* e = s ? s->Find("error") : nullptr;
    return e && e->is_string() ? e->as_string() : "";
  }
};

class RestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = quiver::test_support::FreshTestDir("rest");
    StatusOr<std::unique_ptr<Catalog>> c = Catalog::Open(dir_.string(), BuiltinCollectionDefaults());
    ASSERT_TRUE(c.ok()) << c.status().message();
    catalog_ = std::move(c).value();
    api_ = std::make_unique<RestApi>(catalog_.get(), ServiceInfo{"1.19.0", "abc123"});
  }
  void TearDown() override {
    api_.reset();
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  Answer Call(std::string method, std::string target, std::string body = "") {
    HttpRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    if (!request.body.empty()) request.headers.emplace_back("content-type", "application/json");
    request.remote_address = "127.0.0.1";
    HttpResponse response = api_->Handle(request);
    Answer a;
    a.status = response.status;
    a.content_type = response.content_type;
    a.body = response.body;
    if (response.content_type == "application/json") {
      StatusOr<Json> j = Json::Parse(response.body);
      EXPECT_TRUE(j.ok()) << "response is not JSON: " << response.body;
      if (j.ok()) a.json = *j;
    }
    return a;
  }

  // Checks Qdrant's success envelope {"result": ..., "status": "ok", "time": <number>}.
  static void ExpectOkEnvelope(const Answer& a) {
    EXPECT_EQ(a.status, 200) << a.body;
    ASSERT_TRUE(a.json.is_object()) << a.body;
    std::vector<std::string> keys;
    for (const auto& [k, v] : a.json.as_object()) keys.push_back(k);
    EXPECT_THAT(keys, ElementsAre("result", "status", "time")) << a.body;
    ASSERT_NE(a.json.Find("status"), nullptr);
    EXPECT_EQ(a.json.Find("status")->Dump(), "\"ok\"");
    ASSERT_NE(a.json.Find("time"), nullptr);
    EXPECT_TRUE(a.json.Find("time")->is_number());
    EXPECT_GE(a.json.Find("time")->as_double(), 0.0);
  }

  // Checks Qdrant's error envelope {"status": {"error": "..."}, "time": <number>}.
  static void ExpectErrorEnvelope(const Answer& a, int status) {
    EXPECT_EQ(a.status, status) << a.body;
    ASSERT_TRUE(a.json.is_object()) << a.body;
    std::vector<std::string> keys;
    for (const auto& [k, v] : a.json.as_object()) keys.push_back(k);
    EXPECT_THAT(keys, ElementsAre("status", "time")) << a.body;
    const Json* s = a.json.Find("status");
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->is_object()) << a.body;
    EXPECT_EQ(s->size(), 1u);
    ASSERT_NE(s->Find("error"), nullptr);
    EXPECT_TRUE(s->Find("error")->is_string());
    EXPECT_TRUE(a.json.Find("time")->is_number());
    EXPECT_EQ(a.result(), Json());
  }

  void CreateCollection(const std::string& name, const std::string& body =
                                                     R"({"vectors": {"size": 4, "distance": "Dot"}})") {
    Answer a = Call("PUT", "/collections/" + name, body);
    ExpectOkEnvelope(a);
    ASSERT_EQ(a.result(), Json(true)) << a.body;
  }

  void UpsertSample(const std::string& name) {
    Answer a = Call("PUT", "/collections/" + name + "/points?wait=true", R"({"points": [
        {"id": 1, "vector": [1, 0, 0, 0], "payload": {"city": "Berlin", "n": 1}},
        {"id": 2, "vector": [0, 1, 0, 0], "payload": {"city": "London", "n": 2}},
        {"id": 3, "vector": [0, 0, 1, 0], "payload": {"city": "Berlin", "n": 3}}]})");
    ExpectOkEnvelope(a);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(RestApiTest, SuccessEnvelope) {
  CreateCollection("test");
  Answer a = Call("GET", "/collections");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"collections":[{"name":"test"}]})");
  EXPECT_EQ(a.content_type, "application/json");
}

TEST_F(RestApiTest, MissingCollectionIs404WithQdrantMessage) {
  for (const auto& [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/collections/x", ""},
           {"PATCH", "/collections/x", R"({"optimizers_config": {"indexing_threshold": 1}})"},
           {"PUT", "/collections/x/points", R"({"points": [{"id": 1, "vector": [1, 2, 3, 4]}]})"},
           {"POST", "/collections/x/points/scroll", "{}"},
           {"POST", "/collections/x/points/count", "{}"},
           {"POST", "/collections/x/points", R"({"ids": [1]})"},
           {"GET", "/collections/x/points/1", ""},
           {"POST", "/collections/x/points/query", R"({"query": [1, 2, 3, 4]})"},
           {"GET", "/collections/x/aliases", ""},
       }) {
    Answer a = Call(method, target, body);
    ExpectErrorEnvelope(a, 404);
    EXPECT_EQ(a.error(), "Not found: Collection `x` doesn't exist!") << method << " " << target;
  }
}

TEST_F(RestApiTest, MalformedJsonIs400FormatError) {
  CreateCollection("test");
  for (const char* body : {"{", "{\"points\": [}", "not json", "{} trailing", "[1, 2,]"}) {
    Answer a = Call("PUT", "/collections/test/points", body);
    ExpectErrorEnvelope(a, 400);
    EXPECT_THAT(a.error(), StartsWith("Format error in JSON body: ")) << body;
    EXPECT_THAT(a.error(), HasSubstr("line 1 column")) << body;
  }
  // Also on a route whose collection is missing: the body is checked first.
  Answer a = Call("PUT", "/collections/missing/points", "{");
  ExpectErrorEnvelope(a, 400);
  EXPECT_THAT(a.error(), StartsWith("Format error in JSON body: "));
  a = Call("PUT", "/collections/new", "{\"vectors\":");
  ExpectErrorEnvelope(a, 400);
  EXPECT_THAT(a.error(), StartsWith("Format error in JSON body: "));
  EXPECT_FALSE(catalog_->Exists("new"));
}

TEST_F(RestApiTest, WrongDimensionIs400) {
  CreateCollection("test");
  Answer a = Call("PUT", "/collections/test/points?wait=true",
                  R"({"points": [{"id": 1, "vector": [1, 2, 3]}]})");
  ExpectErrorEnvelope(a, 400);
  EXPECT_EQ(a.error(), "Wrong input: Vector dimension error: expected dim: 4, got 3");
  a = Call("POST", "/collections/test/points/query", R"({"query": [1, 2]})");
  ExpectErrorEnvelope(a, 400);
  EXPECT_THAT(a.error(), HasSubstr("Vector dimension error: expected dim: 4, got 2"));
  // Nothing was written.
  a = Call("POST", "/collections/test/points/count", "{}");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"count":0})");
}

TEST_F(RestApiTest, UnknownRouteIs404) {
  for (const char* target : {"/nope", "/collections/test/nope", "/collections/a/b/c/d/e"}) {
    Answer a = Call("GET", target);
    EXPECT_EQ(a.status, 404) << target;
  }
}

TEST_F(RestApiTest, ValidationErrorIs422) {
  Answer a = Call("PUT", "/collections/test", R"({"vectors": {"size": 0, "distance": "Dot"}})");
  ExpectErrorEnvelope(a, 422);
  EXPECT_THAT(a.error(), StartsWith("Validation error in JSON body: ["));
  EXPECT_THAT(a.error(), HasSubstr("size"));
  EXPECT_FALSE(catalog_->Exists("test"));

  a = Call("PUT", "/collections/test", R"({"vectors": {"size": 65537, "distance": "Dot"}})");
  ExpectErrorEnvelope(a, 422);
  EXPECT_THAT(a.error(), StartsWith("Validation error in JSON body: ["));
}

// Qdrant validates `limit` (minimum 1) before running a scroll: 422.
TEST_F(RestApiTest, ScrollLimitZeroIs422) {
  CreateCollection("test");
  UpsertSample("test");
  Answer a = Call("POST", "/collections/test/points/scroll", R"({"limit": 0})");
  ExpectErrorEnvelope(a, 422);
  EXPECT_THAT(a.error(), StartsWith("Validation error in JSON body: ["));
  EXPECT_THAT(a.error(), HasSubstr("limit"));
}

TEST_F(RestApiTest, CollectionLifecycle) {
  CreateCollection("test");
  Answer a = Call("PUT", "/collections/test", R"({"vectors": {"size": 4, "distance": "Dot"}})");
  ExpectErrorEnvelope(a, 409);
  EXPECT_EQ(a.error(), "Wrong input: Collection `test` already exists!");

  a = Call("GET", "/collections/test");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Find("status")->as_string(), "green");
  EXPECT_EQ(a.result().Find("points_count")->as_int(), 0);
  EXPECT_EQ(a.result().Find("config")->Find("params")->Find("vectors")->Dump(),
            R"({"size":4,"distance":"Dot"})");

  a = Call("GET", "/collections/test/exists");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"exists":true})");
  a = Call("GET", "/collections/other/exists");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"exists":false})");

  a = Call("PATCH", "/collections/test", R"({"optimizers_config": {"indexing_threshold": 10}})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result(), Json(true));
  a = Call("GET", "/collections/test");
  EXPECT_EQ(a.result().Find("config")->Find("optimizer_config")->Find("indexing_threshold")->Dump(),
            "10");

  a = Call("DELETE", "/collections/test");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result(), Json(true));
  a = Call("DELETE", "/collections/test");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result(), Json(false));
  ExpectErrorEnvelope(Call("GET", "/collections/test"), 404);
}

TEST_F(RestApiTest, PointsRoundTrip) {
  CreateCollection("test");
  UpsertSample("test");

  Answer a = Call("PUT", "/collections/test/points?wait=true",
                  R"({"points": [{"id": 4, "vector": [1, 1, 1, 1]}]})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Find("status")->as_string(), "completed");
  EXPECT_TRUE(a.result().Find("operation_id")->is_integer());
  a = Call("PUT", "/collections/test/points", R"({"points": [{"id": 5, "vector": [1, 1, 1, 1]}]})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Find("status")->as_string(), "acknowledged");

  a = Call("GET", "/collections/test/points/1");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(),
            R"({"id":1,"payload":{"city":"Berlin","n":1},"vector":[1.0,0.0,0.0,0.0]})");

  a = Call("GET", "/collections/test/points/99");
  ExpectErrorEnvelope(a, 404);
  EXPECT_EQ(a.error(), "Not found: Point with id 99 does not exists!");

  a = Call("POST", "/collections/test/points", R"({"ids": [2, 99, 1], "with_payload": false})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"([{"id":2,"payload":null,"vector":null},)"
                               R"({"id":1,"payload":null,"vector":null}])");

  a = Call("POST", "/collections/test/points/count",
           R"({"filter": {"must": [{"key": "city", "match": {"value": "Berlin"}}]}})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"count":2})");

  a = Call("POST", "/collections/test/points/scroll",
           R"({"limit": 2, "with_payload": ["n"], "filter": {"must": [{"key": "n", "range": {"gte": 1}}]}})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"points":[{"id":1,"payload":{"n":1},"vector":null},)"
                               R"({"id":2,"payload":{"n":2},"vector":null}],"next_page_offset":3})");

  a = Call("POST", "/collections/test/points/query", R"({"query": [0, 0, 2, 0], "limit": 1})");
  ExpectOkEnvelope(a);
  const Json* points = a.result().Find("points");
  ASSERT_NE(points, nullptr);
  ASSERT_EQ(points->size(), 1u);
  const Json& hit = points->as_array()[0];
  EXPECT_EQ(hit.Find("id")->Dump(), "3");
  EXPECT_EQ(hit.Find("score")->Dump(), "2.0");
  EXPECT_TRUE(hit.Find("version")->is_integer());

  a = Call("POST", "/collections/test/points/delete?wait=true", R"({"points": [1, 2]})");
  ExpectOkEnvelope(a);
  a = Call("POST", "/collections/test/points/count", "");
  EXPECT_EQ(a.result().Dump(), R"({"count":3})");
}

TEST_F(RestApiTest, BadPointIdsAre400) {
  CreateCollection("test");
  Answer a = Call("PUT", "/collections/test/points",
                  R"({"points": [{"id": -1, "vector": [1, 2, 3, 4]}]})");
  ExpectErrorEnvelope(a, 400);
  a = Call("PUT", "/collections/test/points",
           R"({"points": [{"id": "not-a-uuid", "vector": [1, 2, 3, 4]}]})");
  ExpectErrorEnvelope(a, 400);
  a = Call("GET", "/collections/test/points/not-a-uuid");
  ExpectErrorEnvelope(a, 400);
}

TEST_F(RestApiTest, UuidIdsAreCanonical) {
  CreateCollection("test");
  Answer a = Call("PUT", "/collections/test/points?wait=true",
                  R"({"points": [{"id": "550E8400E29B41D4A716446655440000", "vector": [1, 2, 3, 4]}]})");
  ExpectOkEnvelope(a);
  a = Call("GET", "/collections/test/points/550e8400-e29b-41d4-a716-446655440000");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Find("id")->Dump(), "\"550e8400-e29b-41d4-a716-446655440000\"");
}

TEST_F(RestApiTest, AliasesOverRest) {
  CreateCollection("test");
  UpsertSample("test");
  Answer a = Call("POST", "/collections/aliases",
                  R"({"actions": [{"create_alias": {"collection_name": "test", "alias_name": "prod"}}]})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result(), Json(true));
  a = Call("GET", "/aliases");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"aliases":[{"alias_name":"prod","collection_name":"test"}]})");
  a = Call("GET", "/collections/test/aliases");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"aliases":[{"alias_name":"prod","collection_name":"test"}]})");
  a = Call("POST", "/collections/prod/points/count", "{}");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Dump(), R"({"count":3})");

  // A collection may not take an alias's name: Qdrant answers 400.
  a = Call("PUT", "/collections/prod", R"({"vectors": {"size": 4, "distance": "Dot"}})");
  ExpectErrorEnvelope(a, 400);
  // An alias may not take a collection's name: 409.
  CreateCollection("other");
  a = Call("POST", "/collections/aliases",
           R"({"actions": [{"create_alias": {"collection_name": "test", "alias_name": "other"}}]})");
  ExpectErrorEnvelope(a, 409);

  a = Call("POST", "/collections/aliases",
           R"({"actions": [{"delete_alias": {"alias_name": "prod"}}]})");
  ExpectOkEnvelope(a);
  a = Call("POST", "/collections/prod/points/count", "{}");
  ExpectErrorEnvelope(a, 404);
  EXPECT_EQ(a.error(), "Not found: Collection `prod` doesn't exist!");
}

TEST_F(RestApiTest, ServiceRoutes) {
  Answer a = Call("GET", "/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.json.Find("title")->as_string(), "qdrant - vector search engine");
  EXPECT_EQ(a.json.Find("version")->as_string(), "1.19.0");
  EXPECT_EQ(a.json.Find("result"), nullptr);  // no envelope
  for (const char* probe : {"/healthz", "/livez", "/readyz"}) {
    a = Call("GET", probe);
    EXPECT_EQ(a.status, 200) << probe;
    EXPECT_THAT(a.content_type, StartsWith("text/plain")) << probe;
    EXPECT_FALSE(a.body.empty()) << probe;
  }
}

TEST_F(RestApiTest, QueryStringAndPercentDecoding) {
  CreateCollection("my collection");
  Answer a = Call("GET", "/collections/my%20collection");
  ExpectOkEnvelope(a);
  a = Call("PUT", "/collections/my%20collection/points?wait=true&timeout=5",
           R"({"points": [{"id": 1, "vector": [1, 2, 3, 4]}]})");
  ExpectOkEnvelope(a);
  EXPECT_EQ(a.result().Find("status")->as_string(), "completed");
  a = Call("PUT", "/collections/my%20collection/points?wait=maybe",
           R"({"points": [{"id": 1, "vector": [1, 2, 3, 4]}]})");
  ExpectErrorEnvelope(a, 400);
}

TEST_F(RestApiTest, FormatErrorsOfValidJson) {
  CreateCollection("test");
  Answer a = Call("PUT", "/collections/test/points", R"({"points": [{"vector": [1, 2, 3, 4]}]})");
  ExpectErrorEnvelope(a, 400);
  EXPECT_THAT(a.error(), StartsWith("Format error in JSON body: "));
  a = Call("PUT", "/collections/test", R"({"vectors": {"size": 4, "distance": "Dott"}})");
  ExpectErrorEnvelope(a, 400);
  a = Call("POST", "/collections/test/points/scroll", R"({"limit": "ten"})");
  ExpectErrorEnvelope(a, 400);
}

// The batch search writes its points' text directly; it must be the tree's text, to the byte.
TEST(AppendPointJsonTest, WritesWhatRenderPointDumps) {
  auto parse = [](const char* text) { return *Json::Parse(text); };
  std::vector<PointOut> points(5);
  points[0].id = PointId::Num(7);  // a plain record: no score, nothing asked for
  points[1].id = PointId::Num(UINT64_MAX);
  points[1].version = 42;
  points[1].score = -0.1f;
  points[2].id = *PointId::FromString("6f1e2a4c-0b7d-4e59-9c1a-3d2b5e8f7a60");
  points[2].score = 1e-30f;
  points[2].payload = parse(R"({"city":"Zürich \"quoted\"","n":[1,2.5,null],"o":{"b":true}})");
  points[2].vector = parse(R"([0.25,-1.5,3e-8])");
  points[3].id = PointId::Num(0);
  points[3].score = 3.0f;
  points[3].vector = parse(R"({"image":[1.0,2.0],"text":{"indices":[1],"values":[0.5]}})");
  points[3].order_value = parse("12.5");
  points[4].id = PointId::Num(1);
  points[4].payload = Json::MakeObject();
  for (const PointOut& p : points) {
    std::string tree, direct;
    RenderPoint(p).DumpTo(&tree);
    AppendPointJson(p, &direct);
    EXPECT_EQ(direct, tree);
  }
}

}  // namespace
}  // namespace quiver::rest
