#pragma once
// The description of a network: enough to rebuild it, stored beside its weights in checkpoints.
#include <cstdint>
#include <map>
#include <string>

namespace advbn {

struct NetworkSpec {
  std::string arch = "resnet50";
  int64_t num_classes = 1000;
  std::string stem = "imagenet";  // "imagenet" (7×7/2 + max-pool) or "small" (3×3/1)
  double width = 1.0;

  std::map<std::string, std::string> to_metadata() const;
  // Fields present in `metadata` override this spec's; others are kept.
  NetworkSpec with_metadata(const std::map<std::string, std::string>& metadata) const;
};

}  // namespace advbn
