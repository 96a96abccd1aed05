#pragma once
// F(R"({...})"): a Filter from a JSON literal, for tests. Test-only (includes gtest); a literal
// that does not parse fails the running test and yields an empty filter.

#include <gtest/gtest.h>

#include <string_view>

#include "collection/filter.h"
#include "common/testing/json_literal.h"

namespace quiver::test_support {

inline Filter F(std::string_view text) {
  StatusOr<Filter> f = ParseFilter(J(text));
  EXPECT_TRUE(f.ok()) << text << " -> " << f.status().message();
  return f.ok() ? *f : Filter{};
}

}  // namespace quiver::test_support
