#pragma once
// An ordered list of named tensors: the common currency of every weight file format.
#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

namespace advbn::io {

using StateDict = std::vector<std::pair<std::string, at::Tensor>>;

}  // namespace advbn::io
