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
  return exchange_statistics(features, permutation, eps, /*detach_borrowed=*/false, "CrossNorm");
}

}  // namespace advbn
