#include "storage/kv_store.h"

#include "common/testing/fresh_test_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace quiver {
namespace {

class KvStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = quiver::test_support::FreshTestDir("kv");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KvStoreTest, BatchIsAppliedAndSurvivesReopen) {
  {
    auto store = KvStore::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    WriteBatch batch;
    batch.Put("p/1", "one");
    batch.Put("p/2", "two");
    batch.Put("q/1", "other");
    ASSERT_TRUE((*store)->Write(batch, false).ok());
  }
  auto store = KvStore::Open(dir_.string());
  ASSERT_TRUE(store.ok());
  auto v = (*store)->Get("p/2");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, "two");
  std::vector<std::string> keys;
  ASSERT_TRUE((*store)
                  ->ScanPrefix("p/",
                               [&](std::string_view k, std::string_view) {
                                 keys.emplace_back(k);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/2"}));
}

TEST_F(KvStoreTest, DeleteRangeRemovesOnlyThePrefix) {
  auto store = KvStore::Open(dir_.string());
  ASSERT_TRUE(store.ok());
  WriteBatch batch;
  batch.Put("a/1", "x");
  batch.Put("a/2", "y");
  batch.Put("b/1", "z");
  ASSERT_TRUE((*store)->Write(batch, true).ok());
  WriteBatch del;
  del.DeleteRange("a/", PrefixEnd("a/"));
  ASSERT_TRUE((*store)->Write(del, false).ok());
  EXPECT_FALSE((*store)->Get("a/1")->has_value());
  EXPECT_TRUE((*store)->Get("b/1")->has_value());
}

TEST(PrefixEndTest, HandlesTrailingFf) {
  EXPECT_EQ(PrefixEnd("ab"), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff", 1)), "");
}

}  // namespace
}  // namespace quiver
