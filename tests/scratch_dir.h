#pragma once
// A fresh folder for one test, removed when the test ends.
#include <filesystem>
#include <string>
#include <system_error>

#include "test_support.h"

namespace advbn::test {

struct ScratchDir {
  explicit ScratchDir(const std::string& name) : path(temp_dir(name)) {}
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::filesystem::path path;
};

}  // namespace advbn::test
