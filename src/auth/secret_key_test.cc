#include "auth/secret_key.h"

#include <gtest/gtest.h>

#include <string>

namespace quiver::auth {
namespace {

TEST(SecretKeyTest, MatchesOnlyTheExactKey) {
  const SecretKey key("s3cret-key");
  EXPECT_TRUE(key.configured());
  EXPECT_TRUE(key.Matches("s3cret-key"));
  EXPECT_FALSE(key.Matches("s3cret-ke"));       // prefix
  EXPECT_FALSE(key.Matches("s"));
  EXPECT_FALSE(key.Matches("s3cret-key-"));     // longer
  EXPECT_FALSE(key.Matches("S3cret-key"));      // case
  EXPECT_FALSE(key.Matches("s3cret-kez"));      // last byte
  EXPECT_FALSE(key.Matches(std::string("s3cret-key\0", 11)));
  EXPECT_FALSE(key.Matches(""));
}

TEST(SecretKeyTest, EmptyKeyNeverMatches) {
  const SecretKey unset;
  const SecretKey empty("");
  for (const SecretKey* k : {&unset, &empty}) {
    EXPECT_FALSE(k->configured());
    EXPECT_FALSE(k->Matches(""));
    EXPECT_FALSE(k->Matches("anything"));
  }
}

TEST(SecretKeyTest, BinaryAndLongKeys) {
  const std::string binary("a\0b\xff", 4);
  EXPECT_TRUE(SecretKey(binary).Matches(binary));
  EXPECT_FALSE(SecretKey(binary).Matches("a"));
  const std::string long_key(4096, 'k');
  EXPECT_TRUE(SecretKey(long_key).Matches(long_key));
  EXPECT_FALSE(SecretKey(long_key).Matches(long_key.substr(1)));
}

}  // namespace
}  // namespace quiver::auth
