#pragma once
// Sums over the replicas of a data-parallel job, for the statistics that data parallelism must
// share to equal one process on the global batch: synchronised BatchNorm and global AdvBN
// statistics. The core knows only this callable; distributed/ provides it over a process group.
#include <torch/types.h>

#include <functional>

namespace advbn {

// Replaces `tensor` in place by its sum over all replicas (every replica gets the same sum).
// An empty ReplicaSum means a single process.
using ReplicaSum = std::function<void(torch::Tensor& tensor)>;

// The sum over replicas as a differentiable operation: the forward pass sums the replicas'
// values, the backward pass sums the replicas' gradients (every replica's loss depends on the
// sum). Calls `sum` once in each direction, in the same order on every replica; `sum` must
// outlive the backward pass.
torch::Tensor sum_over_replicas(const torch::Tensor& values, const ReplicaSum& sum);

}  // namespace advbn
