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
  // The authors' AdaIN detaches the style features the statistics are borrowed from.
  return exchange_statistics(features, permutation, eps, /*detach_borrowed=*/true, "pAdaIN");
}

}  // namespace advbn
