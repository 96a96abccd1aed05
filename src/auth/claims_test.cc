// ParseClaims on its own: shapes Qdrant's serde accepts, and base64url strictness.

#include "auth/claims.h"

#include <gtest/gtest.h>

#include "auth/jwt_verifier.h"

namespace quiver::auth {
namespace {

StatusOr<ParsedClaims> Parse(std::string_view text) {
  StatusOr<Json> j = Json::Parse(text);
  EXPECT_TRUE(j.ok()) << text;
  return ParseClaims(*j);
}

TEST(ClaimsTest, Defaults) {
  StatusOr<ParsedClaims> c = Parse("{}");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access.global, Access::Global::kManage);  // no access claim = manage
  EXPECT_EQ(c->access.method, AuthMethod::kJwt);
  EXPECT_FALSE(c->exp.has_value());
  EXPECT_TRUE(c->validation_error.empty());
  EXPECT_FALSE(c->access.value_exists.has_value());
}

TEST(ClaimsTest, IgnoresUnknownAndNullClaims) {
  StatusOr<ParsedClaims> c =
      Parse(R"({"iat":1,"nbf":9999999999,"aud":"x","iss":"y","sub":null,"subject":null,
                "value_exists":null,"exp":null,"whatever":{"a":[1]}})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access.global, Access::Global::kManage);
  EXPECT_EQ(c->access.subject, "");
}

TEST(ClaimsTest, ExpRange) {
  StatusOr<ParsedClaims> c = Parse(R"({"exp":18446744073709551615})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c->exp, 18446744073709551615ull);
  c = Parse(R"({"exp":0})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c->exp, 0u);
  EXPECT_FALSE(Parse(R"({"exp":-5})").ok());
}

TEST(ClaimsTest, RefusesNonObjects) {
  for (const char* text : {"[]", "null", "1", "\"r\""}) {
    EXPECT_EQ(Parse(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(ClaimsTest, ValidationErrorsKeepTheGrants) {
  StatusOr<ParsedClaims> c = Parse(R"({"access":[{"collection":"a","access":"r"},
                                                 {"collection":"a","access":"rw"}]})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->validation_error, "access[1].collection: Collection name should be unique");
}

TEST(ClaimsTest, SeedShapeRefusesDuplicateNames) {
  // Json::Parse keeps the last of duplicate members, but a Json built in code may hold both;
  // the seed shape must never grant one name twice.
  Json rights_r = Json::MakeArray();
  rights_r.Push("read");
  Json rights_rw = Json::MakeArray();
  rights_rw.Push("read");
  rights_rw.Push("write");
  const Json claims(Json::Object{
      {"collections", Json(Json::Object{{"x", rights_r}, {"x", rights_rw}})}});
  EXPECT_EQ(ParseClaims(claims).status().code(), StatusCode::kInvalidArgument);
}

TEST(Base64UrlTest, Strictness) {
  EXPECT_TRUE(IsStrictBase64Url(""));
  EXPECT_TRUE(IsStrictBase64Url("e30"));        // "{}"
  EXPECT_TRUE(IsStrictBase64Url("YQ"));         // "a"
  EXPECT_TRUE(IsStrictBase64Url("YWI"));        // "ab"
  EXPECT_TRUE(IsStrictBase64Url("YWJj"));       // "abc"
  EXPECT_TRUE(IsStrictBase64Url("-_-_"));
  EXPECT_FALSE(IsStrictBase64Url("YQ=="));      // padding
  EXPECT_FALSE(IsStrictBase64Url("Y"));         // length % 4 == 1
  EXPECT_FALSE(IsStrictBase64Url("YR"));        // trailing bits set
  EXPECT_FALSE(IsStrictBase64Url("YWJ"));       // trailing bits set
  EXPECT_FALSE(IsStrictBase64Url("ab+/"));      // standard alphabet
  EXPECT_FALSE(IsStrictBase64Url("ab c"));
}

}  // namespace
}  // namespace quiver::auth
