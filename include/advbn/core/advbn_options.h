#pragma once
// Hyper-parameters of the AdvBN attack on feature statistics (paper §3, Algorithm 1, Table 10).
#include <string>

namespace advbn {

enum class PerturbationKind {
  Multiplicative,  // new mean δμ·μ, new std δσ·σ, δ ∈ [1−ε, 1+ε] (the paper's default)
  Additive,        // new mean μ+aμ, new std σ+aσ, |aμ| ≤ ε·max μ, |aσ| ≤ ε·max σ (Table 10)
};

PerturbationKind parse_perturbation_kind(const std::string& name);
std::string to_string(PerturbationKind kind);

struct AdvBNOptions {
  double epsilon = 1.1;    // ε: PGD bound
  double step_size = 0.2;  // τ: sign-step length
  int steps = 6;           // m: PGD iterations
  PerturbationKind kind = PerturbationKind::Multiplicative;
  // Clamp perturbed features at zero: ResNet cuts sit after a ReLU, so clean features are ≥ 0.
  bool relu_clamp = true;
  // Start δ uniformly inside the bound instead of at the identity.
  bool random_start = false;

  // Throws advbn::Error naming the offending option.
  void validate() const;
};

}  // namespace advbn
