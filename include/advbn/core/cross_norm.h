#pragma once
// CrossNorm (Tang et al., ICCV 2021) in its 2-instance mode without cropping (crop "neither",
// no channel shuffle), the authors' default: with probability p every instance takes the
// channel-wise mean and std of a randomly paired instance, π a random permutation,
//   out = (x − μ)/σ · σ[π] + μ[π],   σ = sqrt(var + eps), eps = 1e-5.
// The arithmetic is pAdaIN's; the difference is the gradient: their code keeps the borrowed
// statistics in the graph, so each instance also receives gradient through its partner's output.
// SelfNorm, CrossNorm's learned counterpart, is a network layer, not a perturbation, and is not
// part of this module.
#include "advbn/core/feature_perturbation.h"

namespace advbn {

class CrossNorm final : public FeaturePerturbation {
 public:
  static constexpr double kDefaultP = 0.5;
  static constexpr double kDefaultEps = 1e-5;

  explicit CrossNorm(const PeerOptions& options = {});

  // Draws the Bernoulli(p) selection, then π.
  torch::Tensor apply(const torch::Tensor& features, at::Generator& generator) const override;
  std::string name() const override { return "crossnorm"; }
  double probability() const override { return p_; }
  double eps() const { return eps_; }

 private:
  double p_, eps_;
};

// The exchange for a given `permutation` [N] (integer).
torch::Tensor crossnorm_transform(const torch::Tensor& features, const torch::Tensor& permutation,
                                  double eps = CrossNorm::kDefaultEps);

}  // namespace advbn
