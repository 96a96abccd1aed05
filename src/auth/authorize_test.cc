// The access table walked for every Operation and every kind of credential. Each Access is made
// the way a request makes it (Authenticator with real keys and minted tokens), and the expected
// outcomes are written down independently of authorize.cc, from Qdrant's access matrix
// (tests/consensus_tests/auth_tests/test_jwt_access.py) and the reasons in
// lib/storage/src/rbac/mod.rs.

#include "auth/authorize.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "auth/token.h"

namespace quiver::auth {
namespace {

constexpr int64_t kNow = 1'700'000'000;

// Columns of the matrix, in this order.
enum Kind {
  kOpenServer, kApi, kAlt, kReadOnly, kJwtR, kJwtM, kJwtNoAccess,
  kCollR, kCollRw, kCollPrw, kOtherR, kOtherRw, kOtherPrw, kSeedR, kSeedRw, kNumKinds
};
const char* const kKindNames[kNumKinds] = {
    "open server", "api key", "alt key", "read-only key", "JWT r", "JWT m", "JWT no access",
    "JWT c:r", "JWT c:rw", "JWT c:prw", "JWT other:r", "JWT other:rw", "JWT other:prw",
    "seed c:[read]", "seed c:[read,write]"};

Json Claims(std::string_view text) {
  StatusOr<Json> j = Json::Parse(text);
  EXPECT_TRUE(j.ok()) << text;
  return *j;
}

Access Authenticated(const Authenticator& auth, std::optional<std::string> api_key,
                     std::optional<std::string> bearer) {
  StatusOr<Access> a =
      auth.Authenticate(api_key, bearer ? std::optional<std::string>("Bearer " + *bearer)
                                        : std::nullopt);
  EXPECT_TRUE(a.ok()) << a.status().message();
  return a.ok() ? *a : Access{};
}

std::array<Access, kNumKinds> MakeAccesses() {
  Authenticator open(KeySettings{});
  Authenticator keyed(KeySettings{"K-api", "K-alt", "K-ro", true}, [] { return kNow; });
  auto jwt = [&](std::string_view claims) {
    StatusOr<std::string> token = MintToken("K-api", Claims(claims));
    EXPECT_TRUE(token.ok());
    return Authenticated(keyed, std::nullopt, *token);
  };
  std::array<Access, kNumKinds> a;
  a[kOpenServer] = Authenticated(open, std::nullopt, std::nullopt);
  a[kApi] = Authenticated(keyed, "K-api", std::nullopt);
  a[kAlt] = Authenticated(keyed, std::nullopt, "K-alt");
  a[kReadOnly] = Authenticated(keyed, "K-ro", std::nullopt);
  a[kJwtR] = jwt(R"({"access": "r"})");
  a[kJwtM] = jwt(R"({"access": "m"})");
  a[kJwtNoAccess] = jwt(R"({"sub": "someone"})");
  a[kCollR] = jwt(R"({"access": [{"collection": "c", "access": "r"}]})");
  a[kCollRw] = jwt(R"({"access": [{"collection": "c", "access": "rw"}]})");
  a[kCollPrw] = jwt(R"({"access": [{"collection": "c", "access": "prw"}]})");
  a[kOtherR] = jwt(R"({"access": [{"collection": "other", "access": "r"}]})");
  a[kOtherRw] = jwt(R"({"access": [{"collection": "other", "access": "rw"}]})");
  a[kOtherPrw] = jwt(R"({"access": [{"collection": "other", "access": "prw"}]})");
  a[kSeedR] = jwt(R"({"collections": {"c": ["read"]}})");
  a[kSeedRw] = jwt(R"({"collections": {"c": ["read", "write"]}})");
  return a;
}

// Expected reasons ("" = allowed).
const std::string OK;
const std::string GM = "Global manage access is required";
const std::string GA = "Global access is required";
const std::string AC = "Access to collection c is required";
const std::string WA = "Write access to collection c is required";
const std::string PO = "Only points access is allowed for collection c";
const std::string MA = "Manage access for this operation is required";

using Row = std::array<std::string, kNumKinds>;
//                       open api alt ro  r   m   none c:r c:rw c:prw o:r o:rw o:prw s:r s:rw
const Row kAnyone       {OK, OK, OK, OK, OK, OK, OK,  OK, OK,  OK,  OK, OK,  OK,  OK, OK};
const Row kGlobalRead   {OK, OK, OK, OK, OK, OK, OK,  GA, GA,  GA,  GA, GA,  GA,  GA, GA};
const Row kGlobalManage {OK, OK, OK, GM, GM, OK, OK,  GA, GA,  GA,  GA, GA,  GA,  GA, GA};
const Row kRead         {OK, OK, OK, OK, OK, OK, OK,  OK, OK,  OK,  AC, AC,  AC,  OK, OK};
const Row kWrite        {OK, OK, OK, GM, GM, OK, OK,  WA, OK,  OK,  AC, AC,  AC,  WA, OK};
const Row kReadExtras   {OK, OK, OK, OK, OK, OK, OK,  OK, OK,  PO,  AC, AC,  AC,  OK, OK};
const Row kWriteExtras  {OK, OK, OK, GM, GM, OK, OK,  WA, OK,  PO,  AC, AC,  AC,  WA, OK};
const Row kManageExtras {OK, OK, OK, GM, GM, OK, OK,  WA, MA,  PO,  AC, AC,  AC,  WA, MA};

// What each operation needs, restated from Qdrant (handler / test_jwt_access.py entry).
const Row& Expected(Operation op) {
  switch (op) {
    case Operation::kServiceInfo:           return kAnyone;        // whitelisted "/"
    case Operation::kHealthCheck:           return kAnyone;        // healthz/livez/readyz
    case Operation::kListCollections:       return kAnyone;        // filtered list
    case Operation::kTelemetry:             return kAnyone;        // "telemetry" all True
    case Operation::kListAliases:           return kRead;          // list_collection_aliases
    case Operation::kGetCollection:         return kRead;
    case Operation::kCreateCollection:      return kGlobalManage;
    case Operation::kUpdateCollection:      return kGlobalManage;
    case Operation::kDeleteCollection:      return kGlobalManage;
    case Operation::kUpdateAliases:         return kGlobalManage;
    case Operation::kCreatePayloadIndex:    return kWriteExtras;   // create_index, prw False
    case Operation::kDeletePayloadIndex:    return kWriteExtras;
    case Operation::kUpsertPoints:          return kWrite;         // prw True
    case Operation::kUpdatePoints:          return kWrite;
    case Operation::kRetrievePoints:        return kRead;
    case Operation::kScrollPoints:          return kRead;
    case Operation::kCountPoints:           return kRead;
    case Operation::kSearchPoints:          return kRead;
    case Operation::kFacet:                 return kRead;
    case Operation::kListSnapshots:         return kReadExtras;    // prw False
    case Operation::kDownloadSnapshot:      return kReadExtras;
    case Operation::kCreateSnapshot:        return kWriteExtras;
    case Operation::kDeleteSnapshot:        return kWriteExtras;
    case Operation::kUploadSnapshot:        return kGlobalManage;
    case Operation::kRecoverSnapshot:       return kGlobalManage;
    case Operation::kListFullSnapshots:     return kGlobalRead;    // coll_r False
    case Operation::kDownloadFullSnapshot:  return kGlobalRead;
    case Operation::kCreateFullSnapshot:    return kGlobalManage;
    case Operation::kDeleteFullSnapshot:    return kGlobalManage;
    case Operation::kClusterInfo:           return kGlobalRead;    // get_cluster
    case Operation::kUpdateClusterSetup:    return kGlobalManage;  // recover, delete_peer
    case Operation::kCollectionClusterInfo: return kReadExtras;
    case Operation::kUpdateCollectionCluster: return kManageExtras;
    case Operation::kMetrics:               return kGlobalRead;
    case Operation::kAuditLogs:             return kGlobalManage;
    case Operation::kListIssues:            return kAnyone;        // filtered report
    case Operation::kClearIssues:           return kGlobalManage;
    case Operation::kGetLogger:             return kGlobalRead;
    case Operation::kUpdateLogger:          return kGlobalManage;
    case Operation::kGetOptimizations:      return kRead;
  }
  ADD_FAILURE() << "no expectation for " << OperationName(op);
  return kGlobalManage;
}

void ExpectOutcome(const Status& st, const std::string& reason, const std::string& where) {
  if (reason.empty()) {
    EXPECT_TRUE(st.ok()) << where << ": refused with " << st.message();
  } else {
    EXPECT_EQ(st.code(), StatusCode::kPermissionDenied) << where;
    EXPECT_EQ(st.message(), "Forbidden: " + reason) << where;
  }
}

TEST(AuthorizeTest, EveryOperationForEveryKindOfCredential) {
  const std::array<Access, kNumKinds> accesses = MakeAccesses();
  for (Operation op : kAllOperations) {
    const Row& row = Expected(op);
    for (int k = 0; k < kNumKinds; ++k) {
      const std::string where = std::string(OperationName(op)) + " with " + kKindNames[k];
      ExpectOutcome(Authorize(accesses[k], op, {"c"}), row[k], where);
    }
  }
}

TEST(AuthorizeTest, KindsAuthenticateAsExpected) {
  const std::array<Access, kNumKinds> a = MakeAccesses();
  EXPECT_EQ(a[kOpenServer].method, AuthMethod::kNone);
  EXPECT_EQ(a[kApi].method, AuthMethod::kApiKey);
  EXPECT_EQ(a[kAlt].method, AuthMethod::kAltApiKey);
  EXPECT_EQ(a[kReadOnly].method, AuthMethod::kReadOnlyApiKey);
  EXPECT_EQ(a[kReadOnly].global, Access::Global::kRead);
  EXPECT_EQ(a[kJwtNoAccess].global, Access::Global::kManage);
  EXPECT_EQ(a[kJwtNoAccess].subject, "someone");
  EXPECT_EQ(a[kSeedRw].global, Access::Global::kNone);
  ASSERT_EQ(a[kSeedRw].collections.size(), 1u);
  EXPECT_EQ(a[kSeedRw].collections[0].second, CollectionAccess::kReadWrite);
  for (int k = kJwtR; k < kNumKinds; ++k) EXPECT_EQ(a[k].method, AuthMethod::kJwt) << k;
}

TEST(AuthorizeTest, NodeWideOperationsIgnoreCollections) {
  const std::array<Access, kNumKinds> a = MakeAccesses();
  EXPECT_TRUE(Authorize(a[kApi], Operation::kCreateFullSnapshot, {}).ok());
  EXPECT_TRUE(Authorize(a[kReadOnly], Operation::kMetrics, {}).ok());
  // Uploading a snapshot of a collection the token owns still needs global manage.
  ExpectOutcome(Authorize(a[kCollRw], Operation::kUploadSnapshot, {"c"}), GA, "upload");
}

TEST(AuthorizeTest, ListAliasesWithoutCollectionIsOpen) {
  const std::array<Access, kNumKinds> a = MakeAccesses();
  for (int k = 0; k < kNumKinds; ++k) {
    EXPECT_TRUE(Authorize(a[k], Operation::kListAliases, {}).ok()) << kKindNames[k];
  }
}

TEST(AuthorizeTest, CollectionOperationWithoutCollectionIsACallerBug) {
  const std::array<Access, kNumKinds> a = MakeAccesses();
  EXPECT_EQ(Authorize(a[kApi], Operation::kSearchPoints, {}).code(), StatusCode::kInternal);
  EXPECT_EQ(Authorize(a[kCollR], Operation::kUpsertPoints, {}).code(), StatusCode::kInternal);
}

Access Grants(std::vector<std::pair<std::string, CollectionAccess>> grants) {
  Access a;
  a.method = AuthMethod::kJwt;
  a.collections = std::move(grants);
  return a;
}

TEST(AuthorizeTest, LookupCollectionsMustBeGrantedInAnyMode) {
  using CA = CollectionAccess;
  const Access only_c = Grants({{"c", CA::kRead}});
  ExpectOutcome(Authorize(only_c, Operation::kSearchPoints, {"c", "d"}),
                "Access to collection d is required", "lookup_from d");
  // Nested prefetch lookups are passed flat; the first missing one is named.
  ExpectOutcome(Authorize(only_c, Operation::kSearchPoints, {"c", "c", "e", "d"}),
                "Access to collection e is required", "prefetch");
  for (CA mode : {CA::kRead, CA::kReadWrite, CA::kPointsReadWrite}) {
    EXPECT_TRUE(Authorize(Grants({{"c", CA::kRead}, {"d", mode}}), Operation::kSearchPoints,
                          {"c", "d"})
                    .ok());
  }
  // The main collection is checked first.
  ExpectOutcome(Authorize(Grants({{"d", CA::kRead}}), Operation::kSearchPoints, {"c", "d"}), AC,
                "main first");
  // Global rights need no per-collection grant.
  const std::array<Access, kNumKinds> a = MakeAccesses();
  EXPECT_TRUE(Authorize(a[kJwtR], Operation::kSearchPoints, {"c", "d", "e"}).ok());
  EXPECT_TRUE(Authorize(a[kReadOnly], Operation::kSearchPoints, {"c", "d"}).ok());
}

TEST(AuthorizeTest, NamesAreTakenAsWritten) {
  const Access a = Grants({{"c", CollectionAccess::kReadWrite}});
  ExpectOutcome(Authorize(a, Operation::kGetCollection, {"C"}),
                "Access to collection C is required", "case");
  ExpectOutcome(Authorize(a, Operation::kGetCollection, {"c_alias"}),
                "Access to collection c_alias is required", "alias");
  ExpectOutcome(Authorize(a, Operation::kGetCollection, {"c "}),
                "Access to collection c  is required", "space");
}

TEST(AuthorizeTest, CanSee) {
  const std::array<Access, kNumKinds> a = MakeAccesses();
  for (int k : {kOpenServer, kApi, kAlt, kReadOnly, kJwtR, kJwtM, kJwtNoAccess}) {
    EXPECT_TRUE(CanSee(a[k], "anything")) << kKindNames[k];
  }
  for (int k : {kCollR, kCollRw, kCollPrw, kSeedR, kSeedRw}) {
    EXPECT_TRUE(CanSee(a[k], "c")) << kKindNames[k];
    EXPECT_FALSE(CanSee(a[k], "other")) << kKindNames[k];
    EXPECT_FALSE(CanSee(a[k], "c2")) << kKindNames[k];
  }
  EXPECT_FALSE(CanSee(Access{}, "c"));  // no grants at all
}

TEST(OperationTest, EveryOperationHasAName) {
  std::map<std::string, Operation> seen;
  for (Operation op : kAllOperations) {
    const std::string name = OperationName(op);
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(seen.emplace(name, op).second) << "duplicate name " << name;
  }
}

}  // namespace
}  // namespace quiver::auth
