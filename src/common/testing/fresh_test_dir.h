#pragma once
// FreshTestDir: an empty directory for the running GoogleTest test, for tests that use real
// storage. Test-only (includes gtest); the caller removes it in TearDown.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace quiver::test_support {

// <temp>/quiver-<prefix>-<pid>-<test name>, emptied if a crashed run left it behind.
inline std::filesystem::path FreshTestDir(const std::string& prefix) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("quiver-" + prefix + "-" + std::to_string(::getpid()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace quiver::test_support
