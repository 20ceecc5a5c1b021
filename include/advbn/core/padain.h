#pragma once
// pAdaIN, permuted adaptive instance normalisation (Nuriel et al., CVPR 2021): with probability p
// every instance takes the statistics of another instance of the batch, π a random permutation,
//   out = (x − μ)/σ · σ[π] + μ[π],   σ = sqrt(var + eps), eps = 1e-5 as in AdaIN.
// As in the authors' code, the borrowed statistics μ[π], σ[π] are detached while the instance's
// own μ, σ stay in the graph (CrossNorm keeps both).
#include "advbn/core/feature_perturbation.h"

namespace advbn {

class PAdaIN final : public FeaturePerturbation {
 public:
  static constexpr double kDefaultP = 0.01;
  static constexpr double kDefaultEps = 1e-5;

  explicit PAdaIN(const PeerOptions& options = {});

  // Draws the Bernoulli(p) selection, then π.
  torch::Tensor apply(const torch::Tensor& features, at::Generator& generator) const override;
  std::string name() const override { return "padain"; }
  double probability() const override { return p_; }
  double eps() const { return eps_; }

 private:
  double p_, eps_;
};

// The swap for a given `permutation` [N] (integer).
torch::Tensor padain_transform(const torch::Tensor& features, const torch::Tensor& permutation,
                               double eps = PAdaIN::kDefaultEps);

}  // namespace advbn
