#include "advbn/core/feature_stats.h"

#include "advbn/error.h"

namespace advbn {

namespace {
constexpr double kVarianceEpsilon = 1e-5;
}

FeatureStats feature_stats(const torch::Tensor& features) {
  if (features.dim() != 4) {
    throw Error("feature_stats: expected N×C×H×W features, got " + std::to_string(features.dim()) +
                " dimensions");
  }
  if (features.size(0) * features.size(2) * features.size(3) < 2) {
    throw Error("feature_stats: need at least two values per channel for an unbiased variance");
  }
  const std::vector<int64_t> reduce_dims{0, 2, 3};
  auto [variance, mean] = torch::var_mean(features, reduce_dims, /*unbiased=*/true);
  return {mean, (variance + kVarianceEpsilon).sqrt()};
}

torch::Tensor as_channel_tensor(const torch::Tensor& per_channel) {
  return per_channel.view({1, -1, 1, 1});
}

}  // namespace advbn
