#include "advbn/core/feature_perturbation.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include "advbn/core/cross_norm.h"
#include "advbn/core/dsu.h"
#include "advbn/core/mix_style.h"
#include "advbn/core/padain.h"
#include "advbn/error.h"

namespace advbn {

void PeerOptions::validate() const {
  if (p && !(std::isfinite(*p) && *p >= 0 && *p <= 1)) {
    throw Error("peer method probability p must lie in [0, 1], got " + std::to_string(*p));
  }
  if (!(std::isfinite(alpha) && alpha > 0)) {
    throw Error("MixStyle alpha must be a finite number > 0, got " + std::to_string(alpha));
  }
  if (eps && !(std::isfinite(*eps) && *eps > 0)) {
    throw Error("peer method eps must be a finite number > 0, got " + std::to_string(*eps));
  }
}

const std::vector<std::string>& feature_perturbation_names() {
  static const std::vector<std::string> names{"mixstyle", "dsu", "padain", "crossnorm"};
  return names;
}

std::unique_ptr<FeaturePerturbation> make_feature_perturbation(const std::string& method,
                                                               const PeerOptions& options) {
  if (method == "mixstyle") return std::make_unique<MixStyle>(options);
  if (method == "dsu") return std::make_unique<DSU>(options);
  if (method == "padain") return std::make_unique<PAdaIN>(options);
  if (method == "crossnorm") return std::make_unique<CrossNorm>(options);
  std::string valid;
  for (const auto& name : feature_perturbation_names()) valid += (valid.empty() ? "" : ", ") + name;
  throw Error("unknown feature perturbation '" + method + "' (expected one of: " + valid + ")");
}

at::Generator seeded_generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

void check_instance_features(const torch::Tensor& features, const std::string& method,
                             int64_t min_batch) {
  if (features.dim() != 4) {
    throw Error(method + ": expected N×C×H×W features, got " + std::to_string(features.dim()) +
                " dimensions");
  }
  if (!features.is_floating_point()) {
    throw Error(method + ": expected floating-point features, got " +
                std::string(c10::toString(features.scalar_type())));
  }
  if (features.size(2) * features.size(3) < 2) {
    throw Error(method + ": needs at least two spatial positions per channel for the instance "
                "variance, got H×W = " + std::to_string(features.size(2)) + "×" +
                std::to_string(features.size(3)) + "; apply it at an earlier cut");
  }
  if (features.size(0) < min_batch) {
    throw Error(method + ": needs a batch of at least " + std::to_string(min_batch) +
                " instances, got " + std::to_string(features.size(0)));
  }
}

InstanceStats instance_stats(const torch::Tensor& features, double eps) {
  auto [variance, mean] = torch::var_mean(features, {2, 3}, /*unbiased=*/true, /*keepdim=*/true);
  return {mean, (variance + eps).sqrt()};
}

void check_permutation(const torch::Tensor& permutation, int64_t n, const std::string& method) {
  const bool integral = at::isIntegralType(permutation.scalar_type(), /*includeBool=*/false);
  if (permutation.dim() != 1 || permutation.size(0) != n || !integral ||
      !torch::equal(std::get<0>(permutation.to(torch::kCPU, torch::kLong).sort()),
                    torch::arange(n, torch::kLong))) {
    throw Error(method + ": expected a permutation of 0.." + std::to_string(n - 1) +
                " (1-D, integer), got a tensor of shape " + c10::str(permutation.sizes()));
  }
}

bool draw_selected(double p, at::Generator& generator) {
  if (generator.device().type() != torch::kCPU) {
    throw Error("feature perturbations draw on the CPU; pass a CPU generator (seeded_generator), "
                "not one for " + generator.device().str());
  }
  return torch::rand({1}, generator, torch::kDouble).item<double>() < p;
}

torch::Tensor draw_permutation(int64_t n, at::Generator& generator) {
  return torch::randperm(n, generator, torch::kLong);
}

torch::Tensor exchange_statistics(const torch::Tensor& features, const torch::Tensor& permutation, double eps,
                                  bool detach_borrowed, const std::string& method) {
  check_instance_features(features, method);
  check_permutation(permutation, features.size(0), method);
  const auto stats = instance_stats(features, eps);
  const auto other = permutation.to(features.device(), torch::kLong);
  const auto source_mean = detach_borrowed ? stats.mean.detach() : stats.mean;
  const auto source_std = detach_borrowed ? stats.std.detach() : stats.std;
  return (features - stats.mean) / stats.std * source_std.index_select(0, other) +
         source_mean.index_select(0, other);
}

}  // namespace advbn
