#pragma once
// Top-1/top-5 and loss of a network over a whole loader.
#include <torch/types.h>

#include "advbn/data/loader.h"
#include "advbn/eval/meters.h"
#include "advbn/models/staged_network.h"

namespace advbn {

class ProgressReporter;

struct EvalResult {
  double top1 = 0;  // %
  double top5 = 0;  // %
  double loss = 0;  // mean cross-entropy
  int64_t count = 0;
};

// Runs `loader`'s epoch 0 through `network` in eval mode on the BN `branch`. In a data-parallel
// job each replica passes its shard's loader and `replicas`, and all get the whole set's result.
EvalResult evaluate(StagedNetworkImpl& network, data::Loader& loader, BNBranch branch,
                    torch::Device device, ProgressReporter* progress = nullptr,
                    const ReplicaSum& replicas = {});

}  // namespace advbn
