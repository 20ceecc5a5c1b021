#include "advbn/core/mix_style.h"

#include <torch/torch.h>

#include "advbn/error.h"

namespace advbn {

MixStyle::MixStyle(const PeerOptions& options)
    : p_(options.p.value_or(kDefaultP)), alpha_(options.alpha),
      eps_(options.eps.value_or(kDefaultEps)) {
  options.validate();
}

torch::Tensor MixStyle::apply(const torch::Tensor& features, at::Generator& generator) const {
  check_instance_features(features, "MixStyle");
  if (!draw_selected(p_, generator)) return features;
  const int64_t n = features.size(0);
  // Beta(α, α) as the first coordinate of a Dirichlet(α, α), which is how torch.distributions
  // samples it in the authors' code.
  const auto lambda =
      at::_sample_dirichlet(torch::full({n, 2}, alpha_, torch::kDouble), generator).select(1, 0);
  return mixstyle_transform(features, lambda, draw_permutation(n, generator), eps_);
}

torch::Tensor mixstyle_transform(const torch::Tensor& features, const torch::Tensor& lambda,
                                 const torch::Tensor& permutation, double eps) {
  check_instance_features(features, "MixStyle");
  const int64_t n = features.size(0);
  check_permutation(permutation, n, "MixStyle");
  if (lambda.dim() != 1 || lambda.size(0) != n) {
    throw Error("MixStyle: expected one mixing weight per instance (" + std::to_string(n) +
                "), got a tensor of shape " + c10::str(lambda.sizes()));
  }
  const auto stats = instance_stats(features, eps);
  const auto mean = stats.mean.detach(), std = stats.std.detach();
  const auto weight = lambda.to(features.options()).view({n, 1, 1, 1});
  const auto other = permutation.to(features.device(), torch::kLong);
  const auto mixed_mean = weight * mean + (1 - weight) * mean.index_select(0, other);
  const auto mixed_std = weight * std + (1 - weight) * std.index_select(0, other);
  return (features - mean) / std * mixed_std + mixed_mean;
}

}  // namespace advbn
