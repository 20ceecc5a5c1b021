#pragma once
// DSU, domain shifts with uncertainty (Li et al., ICLR 2022), as in the authors' code: with
// probability p each instance's statistics are resampled from Gaussians whose spread is the
// statistics' spread over the batch,
//   Σμ = sqrt(Var_N(μ) + eps),  Σσ = sqrt(Var_N(σ) + eps)   (unbiased variance over the batch),
//   β = μ + εμ·Σμ,  γ = σ + εσ·Σσ,  εμ, εσ ~ N(0, 1) per instance and channel,
//   out = (x − μ)/σ · γ + β.
// Unlike MixStyle, nothing is detached: their code backpropagates through μ, σ, Σμ and Σσ.
#include "advbn/core/feature_perturbation.h"

namespace advbn {

class DSU final : public FeaturePerturbation {
 public:
  static constexpr double kDefaultP = 0.5;
  static constexpr double kDefaultEps = 1e-6;

  explicit DSU(const PeerOptions& options = {});

  // Needs N ≥ 2 (a variance over the batch). Draws the Bernoulli(p) selection, then εμ, then εσ
  // (each N×C, float64).
  torch::Tensor apply(const torch::Tensor& features, at::Generator& generator) const override;
  std::string name() const override { return "dsu"; }
  double probability() const override { return p_; }
  double eps() const { return eps_; }

 private:
  double p_, eps_;
};

// The resampling for given draws `noise_mean` = εμ and `noise_std` = εσ, each N×C.
torch::Tensor dsu_transform(const torch::Tensor& features, const torch::Tensor& noise_mean,
                            const torch::Tensor& noise_std, double eps = DSU::kDefaultEps);

}  // namespace advbn
