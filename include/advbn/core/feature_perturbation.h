#pragma once
// The peer methods' random perturbations of feature statistics (MixStyle, DSU, pAdaIN,
// CrossNorm) behind one interface, so that a trainer applies whichever was chosen at the cut.
//
// They are training-time augmentations: the caller calls apply() on training batches only and
// passes features through untouched at evaluation, as every paper does.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace advbn {

struct PeerOptions {
  // Probability that apply() perturbs a batch; unset means the method's paper default
  // (MixStyle, DSU, CrossNorm 0.5; pAdaIN 0.01). 0 makes apply() the identity.
  std::optional<double> p;
  // MixStyle's mixing weight λ ~ Beta(α, α); the other methods ignore it.
  double alpha = 0.1;
  // Added to the variance under the square root; unset means the method's code default
  // (MixStyle, DSU 1e-6; pAdaIN, CrossNorm 1e-5).
  std::optional<double> eps;

  // Throws advbn::Error naming the offending option: p outside [0, 1], α ≤ 0, ε ≤ 0.
  void validate() const;
};

class FeaturePerturbation {
 public:
  virtual ~FeaturePerturbation() = default;

  // Perturbs N×C×H×W training features; the result has their shape, dtype and device. All
  // random draws come from `generator`, a CPU generator (see seeded_generator()); they are made
  // on the CPU and moved to the features' device, so a seed gives the same draws everywhere.
  // When the batch is not selected (probability 1 − p) the input itself is returned.
  virtual torch::Tensor apply(const torch::Tensor& features, at::Generator& generator) const = 0;

  // The method's name as make_feature_perturbation() accepts it.
  virtual std::string name() const = 0;

  // The probability p in effect (the option or the paper default).
  virtual double probability() const = 0;
};

// "mixstyle", "dsu", "padain", "crossnorm".
const std::vector<std::string>& feature_perturbation_names();

// Throws advbn::Error for an unknown method (listing the valid names) or invalid options.
std::unique_ptr<FeaturePerturbation> make_feature_perturbation(const std::string& method,
                                                               const PeerOptions& options = {});

// A CPU generator for apply(); the trainer seeds one per step so that runs repeat exactly.
at::Generator seeded_generator(uint64_t seed);

// Building blocks the modules share.

// Per-instance, per-channel statistics over H and W, each N×C×1×1. The variance is unbiased, as
// every method's code computes it with Tensor.var(dim=[2, 3]); std = sqrt(var + eps).
struct InstanceStats {
  torch::Tensor mean;
  torch::Tensor std;
};

// Throws advbn::Error, naming `method`, unless `features` is N×C×H×W with H·W ≥ 2 (an unbiased
// spatial variance needs two positions) and N ≥ `min_batch`.
void check_instance_features(const torch::Tensor& features, const std::string& method,
                             int64_t min_batch = 1);

InstanceStats instance_stats(const torch::Tensor& features, double eps);

// Every instance takes the statistics of instance permutation[i]: (x − μ)/σ · σ[π] + μ[π], the
// exchange pAdaIN and CrossNorm share. `detach_borrowed`: the borrowed μ[π], σ[π] carry no
// gradient (pAdaIN's AdaIN detaches its style features; CrossNorm does not). Checks the inputs,
// naming `method`.
torch::Tensor exchange_statistics(const torch::Tensor& features, const torch::Tensor& permutation, double eps,
                                  bool detach_borrowed, const std::string& method);

// Throws advbn::Error, naming `method`, unless `permutation` is a permutation of 0..n−1 (1-D,
// integer).
void check_permutation(const torch::Tensor& permutation, int64_t n, const std::string& method);

// One Bernoulli(p) draw: whether this batch is perturbed.
bool draw_selected(double p, at::Generator& generator);

// A uniformly random permutation of 0..n−1 (int64, on the CPU).
torch::Tensor draw_permutation(int64_t n, at::Generator& generator);

}  // namespace advbn
