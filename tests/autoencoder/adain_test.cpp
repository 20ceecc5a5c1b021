// AdaIN against a hand computation of its statistics.
#include "advbn/autoencoder/adain.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "advbn/error.h"

namespace advbn {
namespace {

TEST(AdaIN, MatchesAHandComputationOfInstanceStatistics) {
  torch::manual_seed(1);
  const auto content = torch::randn({2, 3, 2, 3}, torch::kDouble);
  const auto style = torch::randn({2, 3, 4, 1}, torch::kDouble) * 3 + 1;
  const auto out = adain(content, style);
  auto stats = [](const torch::Tensor& x, int64_t n, int64_t c) {
    const auto values = x[n][c].flatten();
    double mean = 0, squares = 0;
    for (int64_t i = 0; i < values.size(0); ++i) mean += values[i].item<double>();
    mean /= static_cast<double>(values.size(0));
    for (int64_t i = 0; i < values.size(0); ++i) squares += std::pow(values[i].item<double>() - mean, 2);
    return std::make_pair(mean, std::sqrt(squares / static_cast<double>(values.size(0) - 1) + 1e-5));
  };
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t c = 0; c < 3; ++c) {
      const auto [cm, cs] = stats(content, n, c);
      const auto [sm, ss] = stats(style, n, c);
      for (int64_t h = 0; h < 2; ++h) {
        for (int64_t w = 0; w < 3; ++w) {
          const double expected = (content[n][c][h][w].item<double>() - cm) / cs * ss + sm;
          EXPECT_NEAR(out[n][c][h][w].item<double>(), expected, 1e-12);
        }
      }
    }
  }
}

TEST(AdaIN, AlphaBlendsBetweenContentAndTarget) {
  const auto content = torch::rand({1, 4, 5, 5});
  const auto style = torch::rand({1, 4, 3, 3});
  EXPECT_TRUE(torch::allclose(adain_blend(content, style, 0), content));
  EXPECT_TRUE(torch::allclose(adain_blend(content, style, 1), adain(content, style)));
  EXPECT_TRUE(torch::allclose(adain_blend(content, style, 0.25), 0.25 * adain(content, style) + 0.75 * content));
  // one style for a whole batch
  EXPECT_EQ(adain(torch::rand({3, 4, 5, 5}), style).size(0), 3);
  EXPECT_THROW(adain_blend(content, style, 1.5), Error);
  EXPECT_THROW(adain(content, torch::rand({1, 5, 3, 3})), Error);
  EXPECT_THROW(adain(content, torch::rand({1, 4, 1, 1})), Error);
}

}  // namespace
}  // namespace advbn
