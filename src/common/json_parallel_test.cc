// Json::ParseParallel must answer exactly as Json::Parse: the same tree, key order included, and
// for a broken document the same error with the same line and column.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json.h"

namespace quiver {
namespace {

// A batch body above ParseParallel's 64 KB, so that it is cut: `searches` holds objects whose
// strings contain brackets, quotes and escapes; around it, a small array, a large array of
// numbers (kept whole), an empty array, non-ASCII, and a repeated key (the last value wins, at
// the first one's place). `extra` is written after the last search.
std::string BatchBody(const std::string& extra = "") {
  std::string body = R"({"before": {"a": [1, 2, {"b": "]}"}]}, "searches": [)";
  for (int q = 0; q < 60; ++q) {
    if (q > 0) body += ",\n  ";
    body += R"({"query": [)";
    for (int j = 0; j < 200; ++j) {
      if (j > 0) body += ',';
      body += std::to_string((q * 31 + j * 7) % 256) + ".5";
    }
    body += R"(], "filter": {"must": [{"key": "name", "match": {"value": "x\"]}[{\\"}}]}, )";
    body += R"("limit": 10, "params": {"hnsw_ef": 16}})";
  }
  body += extra + R"(], "numbers": [)";
  for (int i = 0; i < 5000; ++i) {
    if (i > 0) body += ',';
    body += std::to_string(i);
  }
  body += R"(], "empty": [ ], "pairs": [[1, 2], [3]], "ünï": "\u00e9", "before": "again"} )";
  return body;
}

// `count` arrays nested inside the first search.
std::string WithNestedArrays(size_t count) {
  std::string search = R"(, {"deep": )";
  search.append(count, '[');
  search.append(count, ']');
  search += '}';
  return BatchBody(search);
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(JsonParallelTest, SameTreeAsParse) {
  const std::vector<std::string> documents = {
      BatchBody(),
      WithNestedArrays(125),  // 128 containers deep with the root, `searches` and the search
      std::string("[").append(BatchBody()).append(",").append(BatchBody()).append("]"),  // whole
      R"({"small": [{"a": 1}]})",
  };
  for (const std::string& text : documents) {
    StatusOr<Json> whole = Json::Parse(text);
    ASSERT_TRUE(whole.ok()) << whole.status().message();
    for (size_t threads : {1, 2, 3}) {
      StatusOr<Json> parallel = Json::ParseParallel(text, threads);
      ASSERT_TRUE(parallel.ok()) << parallel.status().message();
      EXPECT_EQ(parallel->Dump(), whole->Dump()) << threads << " threads";
    }
  }
  ASSERT_GT(BatchBody().size(), 64u * 1024);
  StatusOr<Json> batch = Json::ParseParallel(BatchBody(), 2);
  EXPECT_EQ(batch->Find("searches")->size(), 60u);
  EXPECT_EQ(batch->Find("before")->as_string(), "again");
  EXPECT_EQ(batch->as_object().front().first, "before");
}

TEST(JsonParallelTest, SameErrorsAsParse) {
  const std::string body = BatchBody();
  const std::vector<std::string> broken = {
      body.substr(0, body.size() / 2),                                  // cut off
      Replaced(body, "},\n  {", "}\n  {"),                              // a comma missing
      BatchBody(","),                                                   // a trailing comma
      Replaced(body, R"({"hnsw_ef": 16}})", R"({"hnsw_ef": 16]})"),     // a bracket mismatched
      Replaced(body, R"("limit": 10)", R"("limit": 01)"),               // a bad number
      Replaced(body, R"("key": "name")", "\"key\": \"na\xffme\""),      // not UTF-8
      Replaced(body, R"("empty")", R"("\udc00")"),                      // a lone surrogate
      Replaced(body, R"("empty": [ ])", R"("empty": [ ] "x": 1)"),      // a member without comma
      body + "x",                                                       // trailing characters
      WithNestedArrays(126),                                            // 129 deep
  };
  for (size_t i = 0; i < broken.size(); ++i) {
    StatusOr<Json> whole = Json::Parse(broken[i]);
    ASSERT_FALSE(whole.ok()) << "document " << i;
    StatusOr<Json> parallel = Json::ParseParallel(broken[i], 2);
    ASSERT_FALSE(parallel.ok()) << "document " << i;
    EXPECT_EQ(parallel.status().message(), whole.status().message()) << "document " << i;
    EXPECT_EQ(parallel.status().code(), whole.status().code()) << "document " << i;
  }
}

}  // namespace
}  // namespace quiver
