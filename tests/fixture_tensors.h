#pragma once
// One tensor of a checkpoint the fixture scripts wrote (tests/fixtures/make_model_fixtures.py).
#include <torch/types.h>

#include <stdexcept>
#include <string>

#include "advbn/io/weights_file.h"
#include "test_support.h"

namespace advbn::test {

inline torch::Tensor fixture_tensor(const std::string& file, const std::string& name) {
  for (const auto& [key, t] : io::load_weights(fixture(file))) {
    if (key == name) return t;
  }
  throw std::runtime_error(file + " lacks " + name);
}

}  // namespace advbn::test
