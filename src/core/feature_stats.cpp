#include "advbn/core/feature_stats.h"

#include "advbn/error.h"

namespace advbn {

namespace {
constexpr double kVarianceEpsilon = 1e-5;
const std::vector<int64_t> kReduceDims{0, 2, 3};

void check_layout(const torch::Tensor& features) {
  if (features.dim() != 4) {
    throw Error("feature_stats: expected N×C×H×W features, got " + std::to_string(features.dim()) +
                " dimensions");
  }
}

}  // namespace

FeatureStats feature_stats(const torch::Tensor& features) {
  check_layout(features);
  if (features.size(0) * features.size(2) * features.size(3) < 2) {
    throw Error("feature_stats: need at least two values per channel for an unbiased variance");
  }
  auto [variance, mean] = torch::var_mean(features, kReduceDims, /*unbiased=*/true);
  return {mean, (variance + kVarianceEpsilon).sqrt()};
}

FeatureStats feature_stats(const torch::Tensor& features, const ReplicaSum& replicas) {
  if (!replicas) return feature_stats(features);
  check_layout(features);
  const int64_t channels = features.size(1);
  // Sums and the element count in one all-reduce, then squared deviations from the global mean.
  auto sums = torch::cat({features.sum(kReduceDims),
                          torch::full({1}, static_cast<double>(features.numel() / channels),
                                      features.options())});
  replicas(sums);
  const double count = sums[channels].item<double>();
  if (count < 2) {
    throw Error("feature_stats: need at least two values per channel for an unbiased variance");
  }
  const auto mean = sums.narrow(0, 0, channels) / count;
  auto squares = (features - as_channel_tensor(mean)).square().sum(kReduceDims);
  replicas(squares);
  return {mean, (squares / (count - 1) + kVarianceEpsilon).sqrt()};
}

torch::Tensor as_channel_tensor(const torch::Tensor& per_channel) {
  return per_channel.view({1, -1, 1, 1});
}

}  // namespace advbn
