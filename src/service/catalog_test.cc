#include "service/catalog.h"

#include "common/testing/json_literal.h"

#include "common/testing/fresh_test_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace quiver {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using AliasList = std::vector<std::pair<std::string, std::string>>;

using test_support::J;

constexpr char kBody[] = R"({"vectors": {"size": 2, "distance": "Dot"}})";

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = quiver::test_support::FreshTestDir("catalog");
    Open();
  }
  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  // (Re)opens the catalog on the test directory, as a restart does.
  void Open() {
    catalog_.reset();
    StatusOr<std::unique_ptr<Catalog>> c = Catalog::Open(dir_.string(), BuiltinCollectionDefaults());
    ASSERT_TRUE(c.ok()) << c.status().message();
    catalog_ = std::move(c).value();
  }

  void CreateOk(const std::string& name, std::string_view body = kBody) {
    Status s = catalog_->Create(name, J(body));
    ASSERT_TRUE(s.ok()) << name << ": " << s.message();
  }

  Status Aliases(std::string_view actions) { return catalog_->UpdateAliases(J(actions)); }

  std::shared_ptr<Collection> GetOk(const std::string& name) {
    StatusOr<std::shared_ptr<Collection>> c = catalog_->Get(name);
    EXPECT_TRUE(c.ok()) << name << ": " << c.status().message();
    return c.ok() ? *c : nullptr;
  }

  void Upsert(const std::string& collection, int id) {
    std::shared_ptr<Collection> c = GetOk(collection);
    ASSERT_NE(c, nullptr);
    UpdateOperation op;
    op.kind = UpdateOperation::Kind::kUpsert;
    PointStruct p;
    p.id = PointId::Num(id);
    p.vectors.emplace_back("", VectorValue(DenseVector{1, 2}));
    p.payload = Json(Json::Object{{"id", Json(id)}});
    op.points.push_back(std::move(p));
    ASSERT_TRUE(c->Apply({op}, true).ok());
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, CreateGetListDelete) {
  EXPECT_THAT(catalog_->List(), IsEmpty());
  CreateOk("b");
  CreateOk("a", R"({"vectors": {"v": {"size": 3, "distance": "Cosine"}}})");
  EXPECT_THAT(catalog_->List(), ElementsAre("a", "b"));
  EXPECT_TRUE(catalog_->Exists("a"));
  EXPECT_FALSE(catalog_->Exists("c"));

  std::shared_ptr<Collection> a = GetOk("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name(), "a");
  EXPECT_NE(a->config().FindVector("v"), nullptr);
  EXPECT_NE(GetOk("b")->uid(), a->uid());

  StatusOr<bool> deleted = catalog_->Delete("b");
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  deleted = catalog_->Delete("b");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  EXPECT_THAT(catalog_->List(), ElementsAre("a"));
  EXPECT_EQ(catalog_->Get("b").status().code(), StatusCode::kNotFound);
}

TEST_F(CatalogTest, MissingCollectionMessage) {
  StatusOr<std::shared_ptr<Collection>> c = catalog_->Get("x");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), "Collection `x` doesn't exist!");
}

TEST_F(CatalogTest, DuplicateCreateIsAlreadyExists) {
  CreateOk("a");
  Upsert("a", 1);
  Status s = catalog_->Create("a", J(kBody));
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "Wrong input: Collection `a` already exists!");
  // The existing collection is untouched.
  EXPECT_EQ(GetOk("a")->Count(std::nullopt), 1u);
}

TEST_F(CatalogTest, BadCreateRequestsCreateNothing) {
  EXPECT_EQ(catalog_->Create("a", J(R"({"vectors": {"size": 0, "distance": "Dot"}})")).code(),
            StatusCode::kUnprocessable);
  EXPECT_EQ(catalog_->Create("a", J(R"({"vectors": {"size": 2, "distance": "Nope"}})")).code(),
            StatusCode::kInvalidArgument);
  for (const char* bad_name : {"", "a/b", "a\\b", "a:b", "a*b", "a?b", "a<b", "a>b", "a|b",
                               "a\"b"}) {
    EXPECT_FALSE(catalog_->Create(bad_name, J(kBody)).ok()) << bad_name;
  }
  EXPECT_FALSE(catalog_->Create(std::string(256, 'x'), J(kBody)).ok());
  EXPECT_THAT(catalog_->List(), IsEmpty());
  Open();
  EXPECT_THAT(catalog_->List(), IsEmpty());
}

TEST_F(CatalogTest, AliasCreateRenameDelete) {
  CreateOk("a");
  CreateOk("b");
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "a", "alias_name": "x"}},
                          {"create_alias": {"collection_name": "b", "alias_name": "y"}}])")
                  .ok());
  EXPECT_EQ(catalog_->ListAliases(std::nullopt), (AliasList{{"x", "a"}, {"y", "b"}}));
  EXPECT_EQ(catalog_->ListAliases("a"), (AliasList{{"x", "a"}}));
  EXPECT_THAT(catalog_->ListAliases("zzz"), IsEmpty());

  // An alias resolves to the very same collection object.
  EXPECT_EQ(GetOk("x").get(), GetOk("a").get());
  EXPECT_EQ(GetOk("y").get(), GetOk("b").get());
  // Aliases are not collections.
  EXPECT_FALSE(catalog_->Exists("x"));
  EXPECT_THAT(catalog_->List(), ElementsAre("a", "b"));

  ASSERT_TRUE(Aliases(R"([{"rename_alias": {"old_alias_name": "x", "new_alias_name": "x2"}}])").ok());
  EXPECT_EQ(catalog_->Get("x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetOk("x2").get(), GetOk("a").get());

  // Re-pointing an alias: delete and create in one atomic list.
  ASSERT_TRUE(Aliases(R"([{"delete_alias": {"alias_name": "x2"}},
                          {"create_alias": {"collection_name": "b", "alias_name": "x2"}}])")
                  .ok());
  EXPECT_EQ(GetOk("x2").get(), GetOk("b").get());

  ASSERT_TRUE(Aliases(R"([{"delete_alias": {"alias_name": "x2"}}])").ok());
  EXPECT_EQ(catalog_->Get("x2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->ListAliases(std::nullopt), (AliasList{{"y", "b"}}));
}

TEST_F(CatalogTest, FailingActionLeavesAliasesUnchanged) {
  CreateOk("a");
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "a", "alias_name": "keep"}}])").ok());
  const AliasList before = catalog_->ListAliases(std::nullopt);

  struct Case {
    const char* actions;
    StatusCode code;
  };
  const Case cases[] = {
      // The target collection is missing.
      {R"([{"create_alias": {"collection_name": "a", "alias_name": "new1"}},
           {"create_alias": {"collection_name": "missing", "alias_name": "new2"}}])",
       StatusCode::kNotFound},
      // Renaming an alias that does not exist.
      {R"([{"delete_alias": {"alias_name": "keep"}},
           {"rename_alias": {"old_alias_name": "nope", "new_alias_name": "z"}}])",
       StatusCode::kNotFound},
      // An alias may not take a collection's name (Qdrant: 409).
      {R"([{"rename_alias": {"old_alias_name": "keep", "new_alias_name": "k2"}},
           {"create_alias": {"collection_name": "a", "alias_name": "a"}}])",
       StatusCode::kAlreadyExists},
      // Malformed actions.
      {R"([{"create_alias": {"collection_name": "a", "alias_name": "n"}}, {"unknown": {}}])",
       StatusCode::kInvalidArgument},
      {R"([{"create_alias": {"collection_name": "a", "alias_name": "n"}},
           {"create_alias": {"collection_name": "a"}}])",
       StatusCode::kInvalidArgument},
      {R"({"create_alias": {}})", StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    Status s = Aliases(c.actions);
    EXPECT_EQ(s.code(), c.code) << c.actions << " -> " << s.message();
    EXPECT_EQ(catalog_->ListAliases(std::nullopt), before) << c.actions;
  }
  EXPECT_EQ(GetOk("keep").get(), GetOk("a").get());
  EXPECT_EQ(catalog_->Get("new1").status().code(), StatusCode::kNotFound);
  // Nor did anything reach the store.
  Open();
  EXPECT_EQ(catalog_->ListAliases(std::nullopt), before);
}

// Qdrant refuses to create a collection under an existing alias's name with a 400 ("Wrong input:
// Can't create collection with name x. Alias with the same name already exists").
TEST_F(CatalogTest, CreateCollectionNamedLikeAnAliasIsBadInput) {
  CreateOk("a");
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "a", "alias_name": "x"}}])").ok());
  Status s = catalog_->Create("x", J(kBody));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_THAT(s.message(), HasSubstr("Alias with the same name already exists"));
  EXPECT_THAT(catalog_->List(), ElementsAre("a"));
  EXPECT_EQ(GetOk("x").get(), GetOk("a").get());
}

TEST_F(CatalogTest, DeletingACollectionDropsItsAliases) {
  CreateOk("a");
  CreateOk("b");
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "a", "alias_name": "a1"}},
                          {"create_alias": {"collection_name": "a", "alias_name": "a2"}},
                          {"create_alias": {"collection_name": "b", "alias_name": "b1"}}])")
                  .ok());
  ASSERT_TRUE(catalog_->Delete("a").ok());
  EXPECT_EQ(catalog_->ListAliases(std::nullopt), (AliasList{{"b1", "b"}}));
  EXPECT_EQ(catalog_->Get("a1").status().code(), StatusCode::kNotFound);
  // A new collection of the old name does not inherit the aliases.
  CreateOk("a");
  EXPECT_EQ(catalog_->Get("a1").status().code(), StatusCode::kNotFound);
  Open();
  EXPECT_EQ(catalog_->ListAliases(std::nullopt), (AliasList{{"b1", "b"}}));
  EXPECT_EQ(catalog_->Get("a2").status().code(), StatusCode::kNotFound);
}

TEST_F(CatalogTest, RecreatedCollectionStartsEmpty) {
  CreateOk("a");
  Upsert("a", 1);
  Upsert("a", 2);
  ASSERT_TRUE(catalog_->Delete("a").ok());
  CreateOk("a");
  EXPECT_EQ(GetOk("a")->Count(std::nullopt), 0u);
  Open();
  EXPECT_EQ(GetOk("a")->Count(std::nullopt), 0u);
}

TEST_F(CatalogTest, EverythingSurvivesReopen) {
  CreateOk("a", R"({"vectors": {"v": {"size": 2, "distance": "Cosine", "on_disk": true}},
                    "sparse_vectors": {"s": {"modifier": "idf"}},
                    "hnsw_config": {"m": 20}, "metadata": {"owner": "me"}})");
  CreateOk("b");
  CreateOk("c");
  Upsert("b", 1);
  Upsert("b", 2);
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "b", "alias_name": "bee"}},
                          {"create_alias": {"collection_name": "c", "alias_name": "sea"}}])")
                  .ok());
  ASSERT_TRUE(catalog_->Update("a", J(R"({"optimizers_config": {"indexing_threshold": 7},
                                          "params": {"on_disk_payload": false}})"))
                  .ok());
  ASSERT_TRUE(catalog_->Delete("c").ok());
  const std::string a_config = GetOk("a")->config().ToInfoJson().Dump();
  const std::string b_config = GetOk("b")->config().ToInfoJson().Dump();
  const uint64_t a_uid = GetOk("a")->uid();
  const uint64_t b_uid = GetOk("b")->uid();

  Open();
  EXPECT_THAT(catalog_->List(), ElementsAre("a", "b"));
  EXPECT_EQ(catalog_->ListAliases(std::nullopt), (AliasList{{"bee", "b"}}));
  EXPECT_EQ(GetOk("bee").get(), GetOk("b").get());
  EXPECT_EQ(catalog_->Get("sea").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetOk("a")->config().ToInfoJson().Dump(), a_config);
  EXPECT_EQ(GetOk("b")->config().ToInfoJson().Dump(), b_config);
  EXPECT_EQ(GetOk("a")->config().optimizer_config.Find("indexing_threshold")->as_int(), 7);
  EXPECT_FALSE(GetOk("a")->config().on_disk_payload);
  EXPECT_EQ(GetOk("a")->uid(), a_uid);
  EXPECT_EQ(GetOk("b")->uid(), b_uid);
  EXPECT_EQ(GetOk("b")->Count(std::nullopt), 2u);
  EXPECT_EQ(GetOk("a")->Count(std::nullopt), 0u);

  // Uids are never reused, even after a restart.
  CreateOk("d");
  EXPECT_NE(GetOk("d")->uid(), a_uid);
  EXPECT_NE(GetOk("d")->uid(), b_uid);
  EXPECT_EQ(GetOk("d")->Count(std::nullopt), 0u);
  Open();
  EXPECT_THAT(catalog_->List(), ElementsAre("a", "b", "d"));
}

TEST_F(CatalogTest, UpdateThroughAliasAndErrors) {
  CreateOk("a");
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "a", "alias_name": "x"}}])").ok());
  ASSERT_TRUE(catalog_->Update("x", J(R"({"hnsw_config": {"m": 5}})")).ok());
  EXPECT_EQ(GetOk("a")->config().hnsw_config.Find("m")->as_int(), 5);
  EXPECT_EQ(catalog_->Update("missing", J("{}")).code(), StatusCode::kNotFound);
  EXPECT_FALSE(catalog_->Update("a", J(R"({"vectors": {"nope": {}}})")).ok());
  Open();
  EXPECT_EQ(GetOk("a")->config().hnsw_config.Find("m")->as_int(), 5);
}

TEST(CollectionNameTest, Validation) {
  EXPECT_TRUE(ValidateCollectionName("my_collection-1.2").ok());
  EXPECT_TRUE(ValidateCollectionName(std::string(255, 'x')).ok());
  EXPECT_FALSE(ValidateCollectionName("").ok());
  EXPECT_FALSE(ValidateCollectionName(std::string(256, 'x')).ok());
  EXPECT_FALSE(ValidateCollectionName("a/b").ok());
  EXPECT_FALSE(ValidateCollectionName(std::string("a\0b", 3)).ok());
  EXPECT_EQ(CollectionNotFound("abc").message(), "Collection `abc` doesn't exist!");
  EXPECT_EQ(CollectionNotFound("abc").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace quiver

namespace quiver {
namespace {

class CatalogSnapshotTest : public CatalogTest {
 protected:
  size_t CountOf(const std::string& name) { return GetOk(name)->Count(std::nullopt); }
  std::string File(const std::string& name) { return (dir_ / name).string(); }
};

TEST_F(CatalogSnapshotTest, RestoresUnderAnotherNameAndSurvivesARestart) {
  CreateOk("a");
  for (int id = 1; id <= 5; ++id) Upsert("a", id);
  ASSERT_TRUE(GetOk("a")->CreatePayloadIndex("id", J(R"({"data_type": "integer"})")).ok());
  ASSERT_TRUE(catalog_->WriteSnapshot("a", File("a.snapshot")).ok());
  Upsert("a", 6);  // after the snapshot: not in it

  ASSERT_TRUE(catalog_->RestoreSnapshot("b", File("a.snapshot")).ok());
  EXPECT_EQ(CountOf("b"), 5u);
  EXPECT_EQ(CountOf("a"), 6u);
  EXPECT_NE(GetOk("b")->uid(), GetOk("a")->uid());
  EXPECT_THAT(GetOk("b")->Info().Find("payload_schema")->Dump(), HasSubstr("\"id\""));
  Open();  // restart
  EXPECT_EQ(CountOf("b"), 5u);
  EXPECT_EQ(CountOf("a"), 6u);
}

TEST_F(CatalogSnapshotTest, ADamagedArchiveChangesNothing) {
  CreateOk("a");
  for (int id = 1; id <= 5; ++id) Upsert("a", id);
  ASSERT_TRUE(catalog_->WriteSnapshot("a", File("a.snapshot")).ok());
  CreateOk("c");
  Upsert("c", 100);

  // Cut short, and with one byte changed inside a record.
  std::string bytes;
  {
    std::ifstream in(File("a.snapshot"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  {
    std::ofstream out(File("cut.snapshot"), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  for (const char* bad : {"cut.snapshot", "missing.snapshot"}) {
    Status s = catalog_->RestoreSnapshot("c", File(bad));
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(CountOf("c"), 1u) << bad;
    Status fresh = catalog_->RestoreSnapshot("d", File(bad));
    EXPECT_FALSE(fresh.ok()) << bad;
    EXPECT_FALSE(catalog_->Exists("d")) << bad;
  }
  // The good archive replaces c; the old records are gone after a restart too.
  ASSERT_TRUE(catalog_->RestoreSnapshot("c", File("a.snapshot")).ok());
  EXPECT_EQ(CountOf("c"), 5u);
  Open();
  EXPECT_EQ(CountOf("c"), 5u);
  EXPECT_FALSE(catalog_->Exists("d"));
}

TEST_F(CatalogSnapshotTest, FullSnapshotWritesEveryCollection) {
  CreateOk("a");
  CreateOk("b");
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "a", "alias_name": "x"}}])").ok());
  ASSERT_TRUE(catalog_->WriteFullSnapshot(File("full.snapshot")).ok());
  EXPECT_GT(std::filesystem::file_size(File("full.snapshot")), 0u);
  // A full snapshot is not a collection snapshot.
  EXPECT_EQ(catalog_->RestoreSnapshot("z", File("full.snapshot")).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CatalogSnapshotTest, FullSnapshotRestoresCollectionsAndAliases) {
  CreateOk("a");
  for (int id = 1; id <= 5; ++id) Upsert("a", id);
  CreateOk("b");
  Upsert("b", 1);
  ASSERT_TRUE(Aliases(R"([{"create_alias": {"collection_name": "a", "alias_name": "x"}}])").ok());
  ASSERT_TRUE(catalog_->WriteFullSnapshot(File("full.snapshot")).ok());
  ASSERT_TRUE(catalog_->Delete("a").ok());  // its alias goes with it
  Upsert("b", 2);

  Status kept = catalog_->RestoreFullSnapshot(File("full.snapshot"), File("tmp"), false);
  ASSERT_TRUE(kept.ok()) << kept.message();
  EXPECT_EQ(CountOf("a"), 5u);
  EXPECT_EQ(CountOf("b"), 2u) << "an existing collection is kept";
  EXPECT_EQ(GetOk("x"), GetOk("a"));
  ASSERT_TRUE(catalog_->RestoreFullSnapshot(File("full.snapshot"), File("tmp"), true).ok());
  EXPECT_EQ(CountOf("b"), 1u) << "replaced";
  EXPECT_TRUE(std::filesystem::is_empty(File("tmp"))) << "temporary archives removed";
  Open();
  EXPECT_EQ(CountOf("a"), 5u);
  EXPECT_EQ(GetOk("x"), GetOk("a"));

  // A collection snapshot is not a full snapshot.
  ASSERT_TRUE(catalog_->WriteSnapshot("a", File("a.snapshot")).ok());
  EXPECT_EQ(catalog_->RestoreFullSnapshot(File("a.snapshot"), File("tmp"), true).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace quiver
