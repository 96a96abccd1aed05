#include "config/config_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace quiver::config_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ConfigTreeTest, ParseBool) {
  for (const char* t : {"true", "TRUE", "Yes", "on", "1", " true "}) {
    EXPECT_EQ(ParseBool(t), std::optional<bool>(true)) << t;
  }
  for (const char* t : {"false", "No", "OFF", "0"}) {
    EXPECT_EQ(ParseBool(t), std::optional<bool>(false)) << t;
  }
  for (const char* t : {"", "2", "y", "truth", "-1"}) EXPECT_EQ(ParseBool(t), std::nullopt) << t;
}

TEST(ConfigTreeTest, ParseInt) {
  EXPECT_EQ(ParseInt("6333"), 6333);
  EXPECT_EQ(ParseInt("+7"), 7);
  EXPECT_EQ(ParseInt("-7"), -7);
  EXPECT_EQ(ParseInt(" 42 "), 42);
  EXPECT_EQ(ParseInt("9223372036854775807"), INT64_MAX);
  for (const char* t : {"", "+", "1.5", "1e3", "0x10", "12abc", "9223372036854775808", "--1"}) {
    EXPECT_EQ(ParseInt(t), std::nullopt) << t;
  }
}

TEST(ConfigTreeTest, ParseDouble) {
  EXPECT_EQ(ParseDouble("0.2"), 0.2);
  EXPECT_EQ(ParseDouble("3"), 3.0);
  EXPECT_EQ(ParseDouble("1e-3"), 1e-3);
  for (const char* t : {"", "abc", "inf", "nan", "1.2.3"}) {
    EXPECT_EQ(ParseDouble(t), std::nullopt) << t;
  }
}

TEST(ConfigTreeTest, ParseYamlKeepsTextAndOrigins) {
  auto root = ParseYaml("a:\n  b: 'x y'\n  c: ~\n  d: [1, 2]\n", "f.yaml");
  ASSERT_TRUE(root.ok()) << root.status().message();
  const ConfigNode* b = FindPath(*root, "a.b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->text, "x y");
  EXPECT_EQ(b->origin, "f.yaml:2");
  EXPECT_TRUE(FindPath(*root, "a.c")->is_null());
  EXPECT_EQ(FindPath(*root, "a.d")->list.size(), 2u);
  EXPECT_EQ(FindPath(*root, "a.e"), nullptr);
  EXPECT_EQ(FindPath(*root, "a.b.c"), nullptr);

  auto empty = ParseYaml("# only a comment\n", "f.yaml");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->is_null());
}

TEST(ConfigTreeTest, MergeRules) {
  auto base = ParseYaml("s: {a: 1, b: 2}\nt: {x: 1}\nu: 5\n", "base");
  auto over = ParseYaml("s: {b: 3, c: 4}\nt: null\nu: null\n", "over");
  ASSERT_TRUE(base.ok() && over.ok());
  MergeInto(&*base, *over);
  EXPECT_EQ(FindPath(*base, "s.a")->text, "1");
  EXPECT_EQ(FindPath(*base, "s.b")->text, "3");
  EXPECT_EQ(FindPath(*base, "s.c")->text, "4");
  EXPECT_EQ(FindPath(*base, "t.x")->text, "1");  // null over a mapping changes nothing
  EXPECT_TRUE(FindPath(*base, "u")->is_null());  // null over a scalar unsets it
}

TEST(ConfigTreeTest, EnvironmentLayer) {
  std::vector<std::string> warnings;
  ConfigNode layer = EnvironmentLayer({{"QDRANT__SERVICE__HTTP_PORT", "1"},
                                       {"Qdrant__Service__Host", "h"},
                                       {"QDRANT__SERVICE__API_KEY", ""},
                                       {"QDRANT__", "x"},
                                       {"QDRANTX__A", "x"},
                                       {"QDRANT__A____B", "x"},
                                       {"OTHER", "x"}},
                                      &warnings);
  EXPECT_EQ(FindPath(layer, "service.http_port")->text, "1");
  EXPECT_EQ(FindPath(layer, "service.http_port")->origin,
            "environment variable QDRANT__SERVICE__HTTP_PORT");
  EXPECT_EQ(FindPath(layer, "service.host")->text, "h");
  EXPECT_TRUE(FindPath(layer, "service.api_key")->is_scalar());
  EXPECT_EQ(FindPath(layer, "service.api_key")->text, "");
  EXPECT_EQ(layer.map.size(), 1u);
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("QDRANT__A____B")));

  warnings.clear();
  layer = EnvironmentLayer({{"QDRANT__A", "1"}, {"QDRANT__A__B", "2"}}, &warnings);
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("QDRANT__A__B")));
  EXPECT_EQ(FindPath(layer, "a")->text, "1");
}

TEST(ConfigTreeTest, Describe) {
  EXPECT_EQ(Describe(ConfigNode::Scalar("abc", "")), "'abc'");
  EXPECT_EQ(Describe(ConfigNode{}), "null");
  EXPECT_EQ(Describe(ConfigNode::Scalar(std::string(100, 'x'), "")).size(), 64u + 5u);
  EXPECT_THAT(OriginSuffix(ConfigNode{}), IsEmpty());
  EXPECT_EQ(OriginSuffix(ConfigNode::Scalar("", "f:1")), " (from f:1)");
}

}  // namespace
}  // namespace quiver::config_internal
