#pragma once
// Adversarial Batch Normalization: projected gradient ascent on the per-channel mean and std of a
// feature map (paper eq. 3 and Algorithm 1), with the semantics of the authors' code.
#include <torch/types.h>

#include <functional>
#include <vector>

#include "advbn/core/advbn_options.h"
#include "advbn/core/feature_stats.h"

namespace advbn {

// Maps (perturbed) features to the scalar loss the attack maximises, e.g. the cross-entropy of the
// rest of the network. It is differentiated with respect to δ only.
using FeatureLoss = std::function<torch::Tensor(const torch::Tensor& features)>;

struct AdvBNResult {
  torch::Tensor features;     // perturbed features at the final δ, detached
  torch::Tensor delta_mu;     // [C]: factor (multiplicative) or offset (additive) on the mean
  torch::Tensor delta_sigma;  // [C]: factor or offset on the std
  // Loss at the starting δ, then after each step (steps + 1 values); without the final
  // evaluation (see attack()) the last one is missing.
  std::vector<double> losses;
};

class AdvBatchNorm {
 public:
  // With `replicas`, the statistics μ, σ and the gradients of δ are summed over the replicas of
  // a data-parallel job, so every replica finds the same δ as one process on the global batch
  // (the loss is then each replica's mean over its own batch). Without, each process attacks
  // its own batch, as the authors' multi-GPU code does.
  explicit AdvBatchNorm(AdvBNOptions options, ReplicaSum replicas = {});

  const AdvBNOptions& options() const { return options_; }

  // Runs the attack on detached `features`. No parameter gradient is accumulated (gradients are
  // taken with respect to δ alone) and each step's graph is freed before the next.
  // `evaluate_final_loss` adds one forward pass to report the loss at the final δ; training skips
  // it because its own forward pass on the result follows.
  // `start`, when given, replaces the identity (or random) starting δ — the previous batch's
  // solution, for a warm start — clamped into this batch's bounds.
  AdvBNResult attack(const torch::Tensor& features, const FeatureLoss& loss,
                     bool evaluate_final_loss = true, const AdvBNResult* start = nullptr) const;

  // The features under `solution`'s δ (clamped into this batch's bounds) without any attack
  // step: a previous batch's solution reused, for training that attacks only every k-th step.
  // `losses` stays empty.
  AdvBNResult reuse(const torch::Tensor& features, const AdvBNResult& solution) const;

  // Features with the statistics changed by (delta_mu, delta_sigma); differentiable in δ.
  torch::Tensor perturb(const torch::Tensor& features, const FeatureStats& stats,
                        const torch::Tensor& delta_mu, const torch::Tensor& delta_sigma) const;

 private:
  struct Bounds {
    torch::Tensor mu_low, mu_high, sigma_low, sigma_high;
  };
  Bounds bounds(const FeatureStats& stats) const;

  AdvBNOptions options_;
  ReplicaSum replicas_;
};

}  // namespace advbn
