#include "advbn/core/dsu.h"

#include <torch/torch.h>

#include "advbn/error.h"

namespace advbn {

DSU::DSU(const PeerOptions& options)
    : p_(options.p.value_or(kDefaultP)), eps_(options.eps.value_or(kDefaultEps)) {
  options.validate();
}

torch::Tensor DSU::apply(const torch::Tensor& features, at::Generator& generator) const {
  check_instance_features(features, "DSU", /*min_batch=*/2);
  if (!draw_selected(p_, generator)) return features;
  const std::vector<int64_t> shape{features.size(0), features.size(1)};
  const auto noise_mean = torch::randn(shape, generator, torch::kDouble);
  const auto noise_std = torch::randn(shape, generator, torch::kDouble);
  return dsu_transform(features, noise_mean, noise_std, eps_);
}

torch::Tensor dsu_transform(const torch::Tensor& features, const torch::Tensor& noise_mean,
                            const torch::Tensor& noise_std, double eps) {
  check_instance_features(features, "DSU", /*min_batch=*/2);
  const int64_t n = features.size(0), c = features.size(1);
  for (const auto* noise : {&noise_mean, &noise_std}) {
    if (noise->sizes() != torch::IntArrayRef{n, c}) {
      throw Error("DSU: expected N×C = " + std::to_string(n) + "×" + std::to_string(c) +
                  " noise, got a tensor of shape " + c10::str(noise->sizes()));
    }
  }
  // Nothing is detached: the authors' code lets the gradient flow through μ, σ and their spread.
  const auto stats = instance_stats(features, eps);
  const auto mean = stats.mean.view({n, c}), std = stats.std.view({n, c});
  const auto batch_spread = [eps](const torch::Tensor& t) {
    return (t.var(0, /*unbiased=*/true, /*keepdim=*/true) + eps).sqrt();
  };
  const auto shifted_mean = mean + noise_mean.to(features.options()) * batch_spread(mean);
  const auto scaled_std = std + noise_std.to(features.options()) * batch_spread(std);
  return (features - stats.mean) / stats.std * scaled_std.view({n, c, 1, 1}) +
         shifted_mean.view({n, c, 1, 1});
}

}  // namespace advbn
