#pragma once
// A BatchNorm2d with a twin for adversarial features (auxiliary BN, as in AdvProp).
//
// The main statistics and affine parameters are this module's own `weight`, `bias`,
// `running_mean`, `running_var` and `num_batches_tracked`, so a torchvision state dict loads by
// name unchanged; the twin lives under `<name>.twin.*`.
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>

#include <optional>
#include <string>

#include "advbn/core/replica_sum.h"

namespace advbn {

enum class BNBranch {
  Clean,  // main statistics
  Adv,    // twin statistics
};

BNBranch parse_bn_branch(const std::string& name);  // "clean" | "adv"

// y = x·scale + shift per channel ([C] each).
struct ChannelAffine {
  torch::Tensor scale, shift;
};

class DualBatchNorm2dImpl : public torch::nn::Module {
 public:
  explicit DualBatchNorm2dImpl(int64_t channels, double momentum = 0.1, double eps = 1e-5);

  torch::Tensor forward(const torch::Tensor& x, BNBranch branch = BNBranch::Clean);

  // The affine map `branch` applies to x in eval mode when nothing will ask for the BN's
  // parameter gradients (grad mode off, or parameters frozen); nothing otherwise (training mode,
  // a split batch, another dtype than the parameters').
  std::optional<ChannelAffine> frozen_affine_map(const torch::Tensor& x, BNBranch branch) const;

  // Copies the main parameters and statistics into the twin.
  void copy_main_to_twin();

  // In training mode, normalise both branches with statistics over every replica's batch
  // (SyncBN); an empty `sum` returns to per-process statistics.
  void synchronise(ReplicaSum sum) { replica_sum_ = std::move(sum); }

  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  torch::nn::BatchNorm2d twin{nullptr};

 private:
  torch::Tensor forward_main(const torch::Tensor& x);
  torch::Tensor forward_twin(const torch::Tensor& x);

  double momentum_;
  double eps_;
  ReplicaSum replica_sum_;
};
TORCH_MODULE(DualBatchNorm2d);

}  // namespace advbn
