#pragma once
// VGG-19, with or without BN, with torchvision's module names and shapes, so torchvision state
// dicts load unchanged. Blocks are named by the index in torchvision's `features` of the module
// that ends them: each convolution (+ BN) + ReLU by its ReLU ("features.1", …), each max-pool by
// itself ("features.4", …); then "head" (7×7 adaptive pooling, classifier with dropout).
// Aliases use the style-transfer names: "relu{stage}_{i}" and "pool{stage}" (relu4_1 is where
// AdaIN's encoder ends). Every block but the head is post-ReLU.
#include "advbn/models/staged_network.h"

namespace advbn {

struct VGGOptions {
  bool batch_norm = false;
  int64_t num_classes = 1000;
  double dropout = 0.5;  // after each hidden classifier layer, in training only
};

class VGGImpl : public StagedNetworkImpl {
 public:
  VGGImpl(const std::string& arch, const VGGOptions& options);
};

}  // namespace advbn
