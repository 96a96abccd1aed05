// Credentials to Access: headers, key comparison and JWT edge cases with a fake clock. Expected
// answers are Qdrant's (src/common/auth/mod.rs, jwt_parser.rs on jsonwebtoken 10.4).

#include "auth/authenticator.h"

#include "common/testing/json_literal.h"

#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/jwt_util.h"
#include "auth/token.h"

namespace quiver::auth {
namespace {

constexpr char kApi[] = "api-secret-1234";
constexpr char kAlt[] = "alt-secret-5678";
constexpr char kRo[] = "read-only-secret";
constexpr int64_t kNow = 1'700'000'000;

using Headers = std::optional<std::string>;
const Headers kAbsent = std::nullopt;

using test_support::J;

std::string Mint(const std::string& secret, std::string_view claims) {
  StatusOr<std::string> t = MintToken(secret, J(claims));
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? *t : "";
}

// A token signed by libjwt with any algorithm it supports (HMAC ones and "none").
std::string MintWithAlg(const std::string& secret, std::string_view claims, jwt_alg_t alg) {
  jwt_t* raw = nullptr;
  EXPECT_EQ(jwt_new(&raw), 0);
  JwtPtr jwt(raw);
  EXPECT_EQ(jwt_add_grants_json(jwt.get(), std::string(claims).c_str()), 0);
  if (alg == JWT_ALG_NONE) {
    EXPECT_EQ(jwt_set_alg(jwt.get(), alg, nullptr, 0), 0);
  } else {
    EXPECT_EQ(jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(secret.data()),
                          static_cast<int>(secret.size())),
              0);
  }
  std::unique_ptr<char, decltype(&std::free)> s(jwt_encode_str(jwt.get()), &std::free);
  return s ? std::string(s.get()) : "";
}

std::string B64(std::string_view s) { return Base64UrlEncode(s); }

std::string HmacSha256B64(const std::string& secret, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return B64(std::string_view(reinterpret_cast<const char*>(mac), len));
}

// A token from raw parts: base64url(header).<payload part as given>.HMAC-SHA256 over both.
std::string CraftRawPayload(std::string_view header_json, std::string_view payload_part,
                            const std::string& secret) {
  std::string signing_input = B64(header_json) + "." + std::string(payload_part);
  return signing_input + "." + HmacSha256B64(secret, signing_input);
}
std::string Craft(std::string_view header_json, std::string_view payload_json,
                  const std::string& secret) {
  return CraftRawPayload(header_json, B64(payload_json), secret);
}
constexpr char kHs256Header[] = R"({"alg":"HS256","typ":"JWT"})";

class AuthenticatorTest : public testing::Test {
 protected:
  Authenticator Make(KeySettings keys) {
    return Authenticator(std::move(keys), [this] { return now_; });
  }
  Authenticator Full() { return Make({kApi, kAlt, kRo, true}); }
  // Only api_key signs tokens. With two secrets, a token that one secret refuses for its shape
  // is refused by the other for its signature, and Qdrant reports that (see
  // ShapeErrorsBecomeInvalidSignatureWithTwoSecrets); the shape tests use one secret.
  Authenticator OneSecret() { return Make({kApi, "", kRo, true}); }

  StatusOr<Access> Bearer(const Authenticator& a, const std::string& token) {
    return a.Authenticate(kAbsent, "Bearer " + token);
  }

  int64_t now_ = kNow;
};

void ExpectError(const StatusOr<Access>& r, StatusCode code, const std::string& message) {
  ASSERT_FALSE(r.ok()) << "accepted, expected " << message;
  EXPECT_EQ(r.status().code(), code);
  EXPECT_EQ(r.status().message(), message);
}
void ExpectMissing(const StatusOr<Access>& r) {
  ExpectError(r, StatusCode::kUnauthenticated, kMissingCredential);
}
void ExpectInvalid(const StatusOr<Access>& r) {
  ExpectError(r, StatusCode::kUnauthenticated, kInvalidCredential);
}
void ExpectForbidden(const StatusOr<Access>& r, const char* what) {
  ExpectError(r, StatusCode::kPermissionDenied, what);
}

// ---- Server without keys ----

TEST_F(AuthenticatorTest, NoKeysMeansOpenWithManageRights) {
  for (const KeySettings& keys : {KeySettings{}, KeySettings{"", "", "", true}}) {
    Authenticator a = Make(keys);
    EXPECT_TRUE(a.open());
    for (const auto& [api, auth] : {std::pair<Headers, Headers>{kAbsent, kAbsent},
                                    {"garbage", kAbsent},
                                    {kAbsent, "Bearer garbage"}}) {
      StatusOr<Access> r = a.Authenticate(api, auth);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->global, Access::Global::kManage);
      EXPECT_EQ(r->method, AuthMethod::kNone);
      EXPECT_EQ(r->subject, "");
    }
  }
}

// ---- Where the credential comes from ----

TEST_F(AuthenticatorTest, MissingCredential) {
  Authenticator a = Full();
  EXPECT_FALSE(a.open());
  ExpectMissing(a.Authenticate(kAbsent, kAbsent));
  ExpectMissing(a.Authenticate(kAbsent, std::string("Basic ") + kApi));
  ExpectMissing(a.Authenticate(kAbsent, std::string("bearer ") + kApi));  // exact "Bearer "
  ExpectMissing(a.Authenticate(kAbsent, std::string("BEARER ") + kApi));
  ExpectMissing(a.Authenticate(kAbsent, std::string("Bearer") + kApi));
  ExpectMissing(a.Authenticate(kAbsent, std::string(kApi)));             // no scheme
  ExpectMissing(a.Authenticate(kAbsent, std::string("Bearer")));
}

TEST_F(AuthenticatorTest, EmptyOrPaddedCredentialIsInvalid) {
  Authenticator a = Full();
  ExpectInvalid(a.Authenticate(kAbsent, std::string("Bearer ")));
  ExpectInvalid(a.Authenticate(std::string(""), kAbsent));
  ExpectInvalid(a.Authenticate(kAbsent, std::string("Bearer  ") + kApi));  // key " api…"
  ExpectInvalid(a.Authenticate(std::string(kApi) + " ", kAbsent));
}

TEST_F(AuthenticatorTest, ApiKeyHeaderWinsOverAuthorization) {
  Authenticator a = Full();
  // A wrong api-key is not rescued by a right bearer token.
  ExpectInvalid(a.Authenticate(std::string("wrong"), std::string("Bearer ") + kApi));
  ExpectInvalid(a.Authenticate(std::string(""), std::string("Bearer ") + kApi));
  // A right api-key is not spoiled by a garbage Authorization header.
  StatusOr<Access> r = a.Authenticate(std::string(kApi), std::string("Bearer garbage"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, AuthMethod::kApiKey);
  // Both present: the api-key's rights count, not the bearer's.
  r = a.Authenticate(std::string(kRo), std::string("Bearer ") + kApi);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->global, Access::Global::kRead);
  // And a JWT in api-key works too (Qdrant reads the same credential from either header).
  r = a.Authenticate(Mint(kApi, R"({"access":"r"})"), kAbsent);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, AuthMethod::kJwt);
}

// ---- Keys ----

TEST_F(AuthenticatorTest, EachKeyGivesItsRights) {
  Authenticator a = Full();
  struct Case {
    const char* key;
    Access::Global global;
    AuthMethod method;
  };
  for (const Case& c : {Case{kApi, Access::Global::kManage, AuthMethod::kApiKey},
                        Case{kAlt, Access::Global::kManage, AuthMethod::kAltApiKey},
                        Case{kRo, Access::Global::kRead, AuthMethod::kReadOnlyApiKey}}) {
    for (const StatusOr<Access>& r : {a.Authenticate(std::string(c.key), kAbsent),
                                      a.Authenticate(kAbsent, std::string("Bearer ") + c.key)}) {
      ASSERT_TRUE(r.ok()) << c.key;
      EXPECT_EQ(r->global, c.global);
      EXPECT_EQ(r->method, c.method);
      EXPECT_TRUE(r->collections.empty());
      EXPECT_EQ(r->subject, "");  // never the key
      EXPECT_FALSE(r->value_exists.has_value());
    }
  }
}

TEST_F(AuthenticatorTest, NearMissesOfAKeyAreInvalid) {
  Authenticator a = Full();
  const std::string key = kApi;
  for (const std::string& guess :
       {key.substr(0, key.size() - 1), key.substr(0, 1), key + "x", key + key, "x" + key,
        std::string("API-SECRET-1234"), std::string(key.size(), 'a'), key.substr(1) + "4",
        std::string("api-secret-1234\n")}) {
    ExpectInvalid(a.Authenticate(guess, kAbsent));
    ExpectInvalid(a.Authenticate(kAbsent, "Bearer " + guess));
  }
}

TEST_F(AuthenticatorTest, EmptyKeysAreUnset) {
  // Only a read-only key: that key reads, nothing else gets in, and "" is no key at all.
  Authenticator a = Make({"", "", kRo, true});
  EXPECT_FALSE(a.open());
  StatusOr<Access> r = a.Authenticate(std::string(kRo), kAbsent);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->global, Access::Global::kRead);
  ExpectInvalid(a.Authenticate(std::string(""), kAbsent));
  ExpectInvalid(a.Authenticate(kAbsent, std::string("Bearer ")));
  // No api key: no JWT secret either, so no token is accepted.
  ExpectInvalid(Bearer(a, Mint(kRo, R"({"access":"m"})")));
}

TEST_F(AuthenticatorTest, SameKeyConfiguredTwiceGivesTheHigherRight) {
  Authenticator a = Make({kApi, "", kApi, false});  // Qdrant checks the write keys first
  StatusOr<Access> r = a.Authenticate(std::string(kApi), kAbsent);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->global, Access::Global::kManage);
}

// ---- JWT: which secrets, which algorithms ----

TEST_F(AuthenticatorTest, JwtSignedWithEitherKey) {
  Authenticator a = Full();
  for (const char* secret : {kApi, kAlt}) {
    StatusOr<Access> r = Bearer(a, Mint(secret, R"({"access":"r","subject":"ci"})"));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->method, AuthMethod::kJwt);
    EXPECT_EQ(r->global, Access::Global::kRead);
    EXPECT_EQ(r->subject, "ci");
  }
  // Only the alt key configured.
  StatusOr<Access> r = Bearer(Make({"", kAlt, "", true}), Mint(kAlt, "{}"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->global, Access::Global::kManage);
}

TEST_F(AuthenticatorTest, JwtRefusedWhenRbacIsOff) {
  Authenticator a = Make({kApi, kAlt, kRo, false});
  ExpectInvalid(Bearer(a, Mint(kApi, R"({"access":"m"})")));
  ExpectInvalid(Bearer(a, Mint("other", R"({"access":"m"})")));  // not even InvalidSignature
}

TEST_F(AuthenticatorTest, JwtSignedWithAnotherKeyIsInvalidSignature) {
  Authenticator a = Full();
  ExpectForbidden(Bearer(a, Mint("not-our-key", R"({"access":"m"})")), "InvalidSignature");
  ExpectForbidden(Bearer(a, Mint(kRo, R"({"access":"m"})")), "InvalidSignature");
  // An HS256 header with an empty signature: jsonwebtoken checks (and fails) the signature.
  const std::string token = Mint(kApi, R"({"access":"r"})");
  ExpectForbidden(Bearer(a, token.substr(0, token.rfind('.') + 1)), "InvalidSignature");
  // A signature of the wrong length.
  ExpectForbidden(Bearer(a, token.substr(0, token.rfind('.') + 1) + "AAAA"), "InvalidSignature");
}

TEST_F(AuthenticatorTest, TamperedPayloadIsInvalidSignature) {
  Authenticator a = Full();
  const std::string token = Mint(kApi, R"({"access":"r"})");
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');
  const std::string forged =
      token.substr(0, dot1 + 1) + B64(R"({"access":"m"})") + token.substr(dot2);
  ExpectForbidden(Bearer(a, forged), "InvalidSignature");
  // Payload that is not even JSON, under a well-formed HS256 header and a wrong signature.
  ExpectForbidden(Bearer(a, B64(kHs256Header) + "." + B64("not json") + ".AAAA"),
                  "InvalidSignature");
}

TEST_F(AuthenticatorTest, OnlyHs256IsAccepted) {
  Authenticator a = Full();
  // Correctly signed with our key, but not HS256: jsonwebtoken's InvalidAlgorithm -> 401.
  ExpectInvalid(Bearer(a, MintWithAlg(kApi, R"({"access":"m"})", JWT_ALG_HS512)));
  ExpectInvalid(Bearer(a, MintWithAlg(kApi, R"({"access":"m"})", JWT_ALG_HS384)));
  ExpectInvalid(Bearer(a, MintWithAlg(kAlt, R"({"access":"m"})", JWT_ALG_HS512)));
  // Not signed with our key either: still 401, the algorithm is refused first.
  ExpectInvalid(Bearer(a, MintWithAlg("other", R"({"access":"m"})", JWT_ALG_HS512)));
  // alg "none", with or without something in the signature slot.
  const std::string none = MintWithAlg("", R"({"access":"m"})", JWT_ALG_NONE);
  ASSERT_EQ(none.back(), '.');
  ExpectInvalid(Bearer(a, none));
  ExpectInvalid(Bearer(a, none + HmacSha256B64(kApi, none.substr(0, none.size() - 1))));
  ExpectInvalid(Bearer(a, Craft(R"({"alg":"none"})", R"({"access":"m"})", kApi)));
  // Names are exact: libjwt would take "hs256", jsonwebtoken does not.
  ExpectInvalid(Bearer(a, Craft(R"({"alg":"hs256","typ":"JWT"})", R"({"access":"m"})", kApi)));
  ExpectInvalid(Bearer(a, Craft(R"({"alg":"RS256","typ":"JWT"})", R"({"access":"m"})", kApi)));
  ExpectInvalid(Bearer(a, Craft(R"({"typ":"JWT"})", R"({"access":"m"})", kApi)));
  // A hand-made HS256 token without `typ` is fine.
  StatusOr<Access> r = Bearer(a, Craft(R"({"alg":"HS256"})", R"({"access":"r"})", kApi));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->global, Access::Global::kRead);
}

TEST_F(AuthenticatorTest, TypOtherThanJwtIsRefusedByLibjwt) {
  // Documented deviation: jsonwebtoken ignores `typ`; libjwt insists on "JWT" (any case).
  Authenticator a = Full();
  ExpectInvalid(Bearer(a, Craft(R"({"alg":"HS256","typ":"at+jwt"})", "{}", kApi)));
  EXPECT_TRUE(Bearer(a, Craft(R"({"alg":"HS256","typ":"jwt"})", "{}", kApi)).ok());
}

TEST_F(AuthenticatorTest, MalformedTokensAreInvalid) {
  Authenticator a = OneSecret();
  const std::string good = Mint(kApi, R"({"access":"r"})");
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.rfind('.');
  const std::string header = good.substr(0, dot1);
  const std::string payload = good.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string sig = good.substr(dot2 + 1);
  ASSERT_TRUE(Bearer(a, good).ok());
  // Built with append: GCC 12 reports a false -Wrestrict on chains of operator+ here.
  auto cat = [](std::initializer_list<std::string_view> parts) {
    std::string out;
    for (std::string_view p : parts) out.append(p);
    return out;
  };
  const std::string sig_plus = cat({sig.substr(0, sig.size() - 1), "+"});
  for (const std::string& bad : {
           cat({"abc"}), cat({header, ".", payload}),                   // too few parts
           cat({good, ".x"}), cat({header, ".", payload, ".", sig, "."}),  // too many
           cat({"!", header.substr(1), ".", payload, ".", sig}),  // header not base64url
           cat({header, "=.", payload, ".", sig}),                // padding
           cat({header, ".", payload, ".", sig, "="}),
           cat({header, ".", payload, ".", sig_plus}),            // '+' is not base64url
           cat({header, ".", payload, ".", sig, "AB"}),           // 45 chars: % 4 == 1
           cat({B64("not json"), ".", payload, ".", sig}),        // header not JSON
           cat({B64("[1,2]"), ".", payload, ".", sig}),
           cat({".."}), cat({"..."}),
       }) {
    SCOPED_TRACE(bad);
    ExpectInvalid(Bearer(a, bad));
  }
  // 44 characters are valid base64url: a signature of the wrong length, not a malformed one.
  ExpectForbidden(Bearer(a, cat({header, ".", payload, ".", sig, "A"})), "InvalidSignature");
  // Signature made over a payload part that is not strict base64url: the signature is right,
  // so jsonwebtoken reaches the payload and refuses it (401), where libjwt would read it.
  const std::string payload_with_pad = B64(R"({"access":"r"})") + "=";
  ExpectInvalid(Bearer(a, CraftRawPayload(kHs256Header, payload_with_pad, kApi)));
  // ... and with a wrong signature it is refused for the signature first (403).
  ExpectForbidden(Bearer(a, CraftRawPayload(kHs256Header, payload_with_pad, "other")),
                  "InvalidSignature");
}

TEST_F(AuthenticatorTest, ShapeErrorsBecomeInvalidSignatureWithTwoSecrets) {
  // Qdrant runs the api_key parser and the alt_api_key parser and reports the first error; a
  // parser that finds "not a JWT" reports none. A token signed with api_key whose claims have
  // the wrong shape is "not a JWT" for the first and has an invalid signature for the second:
  // 403 InvalidSignature. With one secret it is 401.
  const std::string bad_claims = Mint(kApi, R"({"access":"x"})");
  ExpectForbidden(Bearer(Full(), bad_claims), "InvalidSignature");
  ExpectInvalid(Bearer(OneSecret(), bad_claims));
  const std::string bad_payload =
      CraftRawPayload(kHs256Header, B64(R"({"access":"r"})") + "=", kApi);
  ExpectForbidden(Bearer(Full(), bad_payload), "InvalidSignature");
  ExpectInvalid(Bearer(OneSecret(), bad_payload));
  // A refused algorithm stops both parsers before the signature: 401 either way.
  const std::string hs512 = MintWithAlg(kApi, "{}", JWT_ALG_HS512);
  ExpectInvalid(Bearer(Full(), hs512));
  ExpectInvalid(Bearer(OneSecret(), hs512));
}

// ---- JWT: expiry (Qdrant: leeway 30 s, exp optional) ----

TEST_F(AuthenticatorTest, ExpiryWithLeeway) {
  Authenticator a = Full();
  auto at = [&](int64_t exp) {
    return Bearer(a, Mint(kApi, R"({"access":"r","exp":)" + std::to_string(exp) + "}"));
  };
  EXPECT_TRUE(at(kNow + 3600).ok());
  EXPECT_TRUE(at(kNow).ok());       // exactly at exp
  EXPECT_TRUE(at(kNow - 1).ok());   // within the leeway
  EXPECT_TRUE(at(kNow - 30).ok());  // last second of the leeway
  ExpectForbidden(at(kNow - 31), "ExpiredSignature");
  ExpectForbidden(at(0), "ExpiredSignature");
  EXPECT_TRUE(Bearer(a, Mint(kApi, R"({"access":"r"})")).ok());              // no exp
  EXPECT_TRUE(Bearer(a, Mint(kApi, R"({"access":"r","exp":null})")).ok());   // null = none

  // The clock is read per request.
  const std::string token = Mint(kApi, R"({"exp":)" + std::to_string(kNow + 100) + "}");
  EXPECT_TRUE(Bearer(a, token).ok());
  now_ = kNow + 130;
  EXPECT_TRUE(Bearer(a, token).ok());
  now_ = kNow + 131;
  ExpectForbidden(Bearer(a, token), "ExpiredSignature");
}

TEST_F(AuthenticatorTest, ExpiredTokenSignedWithAltKeyReportsApiKeysError) {
  // Qdrant tries api_key's parser first and reports the first error: InvalidSignature.
  Authenticator a = Full();
  const std::string exp = std::to_string(kNow - 60);
  ExpectForbidden(Bearer(a, Mint(kAlt, R"({"exp":)" + exp + "}")), "InvalidSignature");
  ExpectForbidden(Bearer(a, Mint(kApi, R"({"exp":)" + exp + "}")), "ExpiredSignature");
  ExpectForbidden(Bearer(Make({"", kAlt, "", true}), Mint(kAlt, R"({"exp":)" + exp + "}")),
                  "ExpiredSignature");
}

TEST_F(AuthenticatorTest, MalformedExpIsInvalid) {
  Authenticator a = OneSecret();
  for (const char* claims : {R"({"exp":"tomorrow"})", R"({"exp":-1})", R"({"exp":1.5})",
                             R"({"exp":1800000000.0})", R"({"exp":true})", R"({"exp":[1]})"}) {
    ExpectInvalid(Bearer(a, Mint(kApi, claims)));
  }
}

TEST_F(AuthenticatorTest, CachedTokensGiveTheSameAnswer) {
  Authenticator a = Full();
  const std::string token = Mint(kAlt, R"({"access":[{"collection":"c","access":"prw"}],
      "subject":"svc","exp":)" + std::to_string(kNow + 10) +
      R"(,"value_exists":{"collection":"t","matches":[{"key":"k","value":"v"}]}})");
  StatusOr<Access> first = Bearer(a, token);
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 3; ++i) {
    StatusOr<Access> again = Bearer(a, token);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->collections, first->collections);
    EXPECT_EQ(again->subject, "svc");
    EXPECT_EQ(again->method, AuthMethod::kJwt);
    ASSERT_TRUE(again->value_exists.has_value());
    EXPECT_EQ(again->value_exists->collection, "t");
  }
  // Expiry is still checked on a hit, and the error is the uncached one (alt key: the api
  // key's parser reports InvalidSignature first).
  now_ = kNow + 41;
  ExpectForbidden(Bearer(a, token), "InvalidSignature");
  // A refused token is never cached: tampering is caught every time.
  const std::string forged = token.substr(0, token.rfind('.') + 1) + "AAAA";
  for (int i = 0; i < 2; ++i) ExpectForbidden(Bearer(a, forged), "InvalidSignature");
}

TEST_F(AuthenticatorTest, ManyDistinctTokensOverflowTheCacheSafely) {
  Authenticator a = OneSecret();
  for (size_t i = 0; i < Authenticator::kJwtCacheEntries + 10; ++i) {
    const std::string token = Mint(kApi, R"({"sub":")" + std::to_string(i) + R"("})");
    StatusOr<Access> r = Bearer(a, token);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->subject, std::to_string(i));
  }
}

TEST_F(AuthenticatorTest, ConcurrentRequests) {
  Authenticator a = Full();
  std::vector<std::string> tokens;
  for (int i = 0; i < 8; ++i) {
    tokens.push_back(Mint(i % 2 ? kAlt : kApi, R"({"sub":")" + std::to_string(i) + R"("})"));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const int k = (i + t) % 8;
        StatusOr<Access> r = a.Authenticate(kAbsent, "Bearer " + tokens[k]);
        if (!r.ok() || r->subject != std::to_string(k)) failures++;
        if (a.Authenticate(std::string(kRo), kAbsent)->global != Access::Global::kRead) {
          failures++;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---- JWT: claims ----

TEST_F(AuthenticatorTest, AccessClaimForms) {
  Authenticator a = OneSecret();
  StatusOr<Access> r = Bearer(a, Mint(kApi, R"({"access":"m"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->global, Access::Global::kManage);

  r = Bearer(a, Mint(kApi, R"({"access":[{"collection":"a","access":"r"},
                                          {"collection":"b","access":"rw","extra":1},
                                          {"collection":"c","access":"prw","payload":null}]})"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->global, Access::Global::kNone);
  ASSERT_EQ(r->collections.size(), 3u);
  EXPECT_EQ(r->collections[0], std::make_pair(std::string("a"), CollectionAccess::kRead));
  EXPECT_EQ(r->collections[1], std::make_pair(std::string("b"), CollectionAccess::kReadWrite));
  EXPECT_EQ(r->collections[2],
            std::make_pair(std::string("c"), CollectionAccess::kPointsReadWrite));

  r = Bearer(a, Mint(kApi, R"({"access":[]})"));  // access to nothing
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->global, Access::Global::kNone);
  EXPECT_TRUE(r->collections.empty());

  for (const char* bad :
       {R"({"access":null})", R"({"access":"rw"})", R"({"access":"M"})", R"({"access":1})",
        R"({"access":{"collection":"a","access":"r"}})", R"({"access":[{"collection":"a"}]})",
        R"({"access":[{"access":"r"}]})", R"({"access":[{"collection":"a","access":"w"}]})",
        R"({"access":[{"collection":1,"access":"r"}]})", R"({"access":["a"]})",
        R"({"sub":5})", R"({"subject":["x"]})"}) {
    ExpectInvalid(Bearer(a, Mint(kApi, bad)));
  }
}

TEST_F(AuthenticatorTest, DuplicateCollectionsAndPayloadAreRefusedWithValidatorText) {
  Authenticator a = OneSecret();
  ExpectError(Bearer(a, Mint(kApi, R"({"access":[{"collection":"a","access":"r"},
                                                  {"collection":"a","access":"rw"}]})")),
              StatusCode::kUnauthenticated,
              "access[1].collection: Collection name should be unique");
  ExpectError(Bearer(a, Mint(kApi, R"({"access":[{"collection":"a","access":"r",
                                                   "payload":{"user":"1"}}]})")),
              StatusCode::kUnauthenticated,
              "access[0].payload: The 'payload' constraint is deprecated and should not be used");
  ExpectError(Bearer(a, Mint(kApi, R"({"access":[{"collection":"a","access":"r"},
                                                  {"collection":"b","access":"r"},
                                       {"collection":"a","access":"r","payload":{}}]})")),
              StatusCode::kUnauthenticated,
              "access[2].collection: Collection name should be unique"
              "access[2].payload: The 'payload' constraint is deprecated and should not be used");
}

TEST_F(AuthenticatorTest, OrderOfJwtChecks) {
  Authenticator a = OneSecret();
  const std::string old = std::to_string(kNow - 3600);
  // Shape (serde) before expiry: 401.
  ExpectInvalid(Bearer(a, Mint(kApi, R"({"access":"x","exp":)" + old + "}")));
  // Expiry before Qdrant's validation: 403.
  ExpectForbidden(Bearer(a, Mint(kApi, R"({"exp":)" + old + R"(,"access":[
                                   {"collection":"a","access":"r"},
                                   {"collection":"a","access":"r"}]})")),
                  "ExpiredSignature");
  // Signature before everything but the header: 403.
  ExpectForbidden(Bearer(a, Mint("other", R"({"access":"x","exp":)" + old + "}")),
                  "InvalidSignature");
}

TEST_F(AuthenticatorTest, SubjectAndValueExists) {
  Authenticator a = OneSecret();
  StatusOr<Access> r = Bearer(a, Mint(kApi, R"({"sub":"tenant-7"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subject, "tenant-7");
  r = Bearer(a, Mint(kApi, R"({"sub":"tenant-7","subject":"alice"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subject, "alice");

  r = Bearer(a, Mint(kApi, R"({"access":"r","value_exists":{"collection":"tokens",
                  "matches":[{"key":"token_id","value":"t42"},{"key":"n","value":7},
                             {"key":"live","value":true}]}})"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->value_exists.has_value());
  EXPECT_EQ(r->value_exists->collection, "tokens");
  EXPECT_EQ(r->value_exists->matches.Dump(),
            R"([{"key":"token_id","value":"t42"},{"key":"n","value":7},)"
            R"({"key":"live","value":true}])");
  EXPECT_EQ(r->global, Access::Global::kRead);

  for (const char* bad : {
           R"({"value_exists":{"collection":"t"}})",
           R"({"value_exists":{"matches":[]}})",
           R"({"value_exists":{"collection":"t","matches":[{"key":"k","value":1.5}]}})",
           R"({"value_exists":{"collection":"t","matches":[{"key":"k","value":null}]}})",
           R"({"value_exists":{"collection":"t","matches":[{"key":"k"}]}})",
           R"({"value_exists":{"collection":"t","matches":[{"value":"v"}]}})",
           R"({"value_exists":"t"})"}) {
    ExpectInvalid(Bearer(a, Mint(kApi, bad)));
  }
}

TEST_F(AuthenticatorTest, SeedShapeCollectionsClaim) {
  Authenticator a = OneSecret();
  for (const char* claims : {R"({"collections":{"x":["read"],"y":["write","read"]}})",
                             R"({"access":{"collections":{"x":["read"],"y":["read","write"]}}})"}) {
    StatusOr<Access> r = Bearer(a, Mint(kApi, claims));
    ASSERT_TRUE(r.ok()) << claims << ": " << r.status().message();
    EXPECT_EQ(r->global, Access::Global::kNone);
    ASSERT_NE(r->Find("x"), nullptr);
    ASSERT_NE(r->Find("y"), nullptr);
    EXPECT_EQ(*r->Find("x"), CollectionAccess::kRead);
    EXPECT_EQ(*r->Find("y"), CollectionAccess::kReadWrite);
    EXPECT_EQ(r->Find("z"), nullptr);
  }
  for (const char* bad : {R"({"collections":{"x":["write"]}})", R"({"collections":{"x":[]}})",
                          R"({"collections":{"x":["read","admin"]}})",
                          R"({"collections":{"x":"read"}})", R"({"collections":["x"]})",
                          R"({"collections":{"x":["read"]},"access":"r"})",
                          R"({"access":{"collections":{"x":["read"]},"other":1}})"}) {
    ExpectInvalid(Bearer(a, Mint(kApi, bad)));
  }
}

// ---- MintToken ----

TEST(MintTokenTest, ProducesHs256TokensThatVerify) {
  StatusOr<std::string> t = MintToken(kApi, J(R"({"access":"r","subject":"ops"})"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::count(t->begin(), t->end(), '.'), 2);
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_decode(&raw, t->c_str(), reinterpret_cast<const unsigned char*>(kApi),
                       static_cast<int>(std::strlen(kApi))),
            0);
  JwtPtr jwt(raw);
  EXPECT_STREQ(jwt_get_header(jwt.get(), "alg"), "HS256");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "subject"), "ops");
  EXPECT_TRUE(MintToken(kApi, J("{}")).ok());
}

TEST(MintTokenTest, RefusesEmptySecretAndNonObjects) {
  EXPECT_EQ(MintToken("", J("{}")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken(kApi, J("[1]")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken(kApi, J(R"("r")")).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace quiver::auth
