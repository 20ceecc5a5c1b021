#pragma once
// MixStyle (Zhou et al., ICLR 2021), the "random" mix of the authors' code: with probability p a
// batch's per-instance feature statistics are mixed with those of a shuffled batch,
//   μmix = λμ + (1 − λ)μ[π],  σmix = λσ + (1 − λ)σ[π],  out = (x − μ)/σ · σmix + μmix,
// λ ~ Beta(α, α) per instance, π a random permutation. μ and σ are detached, as in their code,
// so no gradient flows through the statistics.
#include "advbn/core/feature_perturbation.h"

namespace advbn {

class MixStyle final : public FeaturePerturbation {
 public:
  static constexpr double kDefaultP = 0.5;
  static constexpr double kDefaultEps = 1e-6;

  explicit MixStyle(const PeerOptions& options = {});

  // Draws the Bernoulli(p) selection, then λ [N] (float64), then π.
  torch::Tensor apply(const torch::Tensor& features, at::Generator& generator) const override;
  std::string name() const override { return "mixstyle"; }
  double probability() const override { return p_; }
  double alpha() const { return alpha_; }
  double eps() const { return eps_; }

 private:
  double p_, alpha_, eps_;
};

// The mix for given draws: `lambda` [N] (any floating dtype), `permutation` [N] integer.
torch::Tensor mixstyle_transform(const torch::Tensor& features, const torch::Tensor& lambda,
                                 const torch::Tensor& permutation,
                                 double eps = MixStyle::kDefaultEps);

}  // namespace advbn
