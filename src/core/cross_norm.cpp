#include "advbn/core/cross_norm.h"

#include <torch/torch.h>

namespace advbn {

CrossNorm::CrossNorm(const PeerOptions& options)
    : p_(options.p.value_or(kDefaultP)), eps_(options.eps.value_or(kDefaultEps)) {
  options.validate();
}

torch::Tensor CrossNorm::apply(const torch::Tensor& features, at::Generator& generator) const {
  check_instance_features(features, "CrossNorm");
  if (!draw_selected(p_, generator)) return features;
  return crossnorm_transform(features, draw_permutation(features.size(0), generator), eps_);
}

torch::Tensor crossnorm_transform(const torch::Tensor& features, const torch::Tensor& permutation,
                                  double eps) {
  check_instance_features(features, "CrossNorm");
  check_permutation(permutation, features.size(0), "CrossNorm");
  const auto stats = instance_stats(features, eps);
  const auto other = permutation.to(features.device(), torch::kLong);
  return (features - stats.mean) / stats.std * stats.std.index_select(0, other) +
         stats.mean.index_select(0, other);
}

}  // namespace advbn
