#pragma once
// Per-channel batch statistics of a feature map, as AdvBN perturbs them.
#include <torch/types.h>

#include "advbn/core/replica_sum.h"

namespace advbn {

struct FeatureStats {
  torch::Tensor mean;  // [C]
  torch::Tensor std;   // [C]
};

// Statistics over N, H and W of an N×C×H×W tensor: the authors' estimator, unbiased variance
// plus 1e-5 under the square root so that constant channels keep a usable std.
FeatureStats feature_stats(const torch::Tensor& features);

// The same estimator over the union of every replica's batch (the global batch of a
// data-parallel job); single-process statistics when `replicas` is empty.
FeatureStats feature_stats(const torch::Tensor& features, const ReplicaSum& replicas);

// Reshapes a per-channel vector [C] to 1×C×1×1 for broadcasting against N×C×H×W.
torch::Tensor as_channel_tensor(const torch::Tensor& per_channel);

}  // namespace advbn
