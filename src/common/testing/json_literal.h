#pragma once
// J: a Json from a literal, for tests. A text that does not parse fails the test (and yields
// null), so a typo in a test's JSON never passes silently. Test-only (includes gtest).

#include <gtest/gtest.h>

#include <string_view>

#include "common/json.h"

namespace quiver::test_support {

inline Json J(std::string_view text) {
  StatusOr<Json> j = Json::Parse(text);
  EXPECT_TRUE(j.ok()) << text << " -> " << j.status().message();
  return j.ok() ? *j : Json();
}

}  // namespace quiver::test_support
