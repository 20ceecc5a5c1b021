#include "advbn/core/feature_stats.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"

namespace advbn {
namespace {

TEST(FeatureStats, PerChannelOverBatchAndSpaceWithUnbiasedVariance) {
  torch::manual_seed(1);
  const auto f = torch::randn({4, 3, 5, 6}, torch::kDouble) * 2 + 1;
  const auto stats = feature_stats(f);
  for (int64_t c = 0; c < 3; ++c) {
    const auto channel = f.select(1, c).flatten();
    const double n = channel.numel();
    const double mean = channel.sum().item<double>() / n;
    const double var = (channel - mean).pow(2).sum().item<double>() / (n - 1);
    EXPECT_NEAR(stats.mean[c].item<double>(), mean, 1e-12);
    EXPECT_NEAR(stats.std[c].item<double>(), std::sqrt(var + 1e-5), 1e-12);
  }
}

TEST(FeatureStats, ConstantChannelKeepsPositiveStd) {
  const auto stats = feature_stats(torch::ones({2, 1, 3, 3}));
  EXPECT_NEAR(stats.std.item<float>(), std::sqrt(1e-5f), 1e-7);
}

TEST(FeatureStats, RejectsWrongShapes) {
  EXPECT_THROW(feature_stats(torch::ones({2, 3})), Error);
  EXPECT_THROW(feature_stats(torch::ones({1, 3, 1, 1})), Error);
}

}  // namespace
}  // namespace advbn
