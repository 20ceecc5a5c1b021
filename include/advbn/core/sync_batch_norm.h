#pragma once
// Training-mode batch normalisation whose statistics span every replica's batch (SyncBN), so
// that R replicas with batches of B/R normalise exactly as one process with a batch of B.
#include <torch/types.h>

#include "advbn/core/replica_sum.h"

namespace advbn {

struct BatchNormState {
  torch::Tensor weight, bias;               // affine parameters [C]
  torch::Tensor running_mean, running_var;  // updated in place
  double momentum = 0.1;
  double eps = 1e-5;
};

// Normalises N×C×H×W `x` with the mean and (biased) variance over all replicas' N, H and W, and
// updates the running statistics with the unbiased variance, as torch::batch_norm does on the
// concatenated batch. Differentiable in x, weight and bias across replicas.
torch::Tensor sync_batch_norm(const torch::Tensor& x, const BatchNormState& bn, const ReplicaSum& sum);

}  // namespace advbn
