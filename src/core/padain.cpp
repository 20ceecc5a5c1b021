#include "advbn/core/padain.h"

#include <torch/torch.h>

namespace advbn {

PAdaIN::PAdaIN(const PeerOptions& options)
    : p_(options.p.value_or(kDefaultP)), eps_(options.eps.value_or(kDefaultEps)) {
  options.validate();
}

torch::Tensor PAdaIN::apply(const torch::Tensor& features, at::Generator& generator) const {
  check_instance_features(features, "pAdaIN");
  if (!draw_selected(p_, generator)) return features;
  return padain_transform(features, draw_permutation(features.size(0), generator), eps_);
}

torch::Tensor padain_transform(const torch::Tensor& features, const torch::Tensor& permutation,
                               double eps) {
  check_instance_features(features, "pAdaIN");
  check_permutation(permutation, features.size(0), "pAdaIN");
  const auto stats = instance_stats(features, eps);
  // The authors' AdaIN detaches the style features the statistics are borrowed from.
  const auto other = permutation.to(features.device(), torch::kLong);
  const auto target_mean = stats.mean.detach().index_select(0, other);
  const auto target_std = stats.std.detach().index_select(0, other);
  return (features - stats.mean) / stats.std * target_std + target_mean;
}

}  // namespace advbn
