#include "advbn/core/feature_perturbation.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "advbn/core/cross_norm.h"
#include "advbn/core/dsu.h"
#include "advbn/core/mix_style.h"
#include "advbn/core/padain.h"
#include "advbn/error.h"

namespace advbn {
namespace {

// A 2×2×2×2 batch whose instance statistics are round numbers: each channel is μ plus deviations
// (3k, −k, −k, −k) in some order, so its unbiased spatial variance is 4k².
using Table = std::array<std::array<double, 2>, 2>;  // [instance][channel]
const std::array<std::array<std::array<double, 4>, 2>, 2> kValues{{
    {{{5, 1, 1, 1}, {0, 0, 0, 12}}},
    {{{10, 2, 2, 2}, {1, -1, -1, -1}}},
}};
const Table kMean{{{2, 3}, {4, -0.5}}};
const Table kVariance{{{4, 36}, {16, 1}}};

torch::Tensor tiny_batch() {
  auto x = torch::empty({2, 2, 2, 2}, torch::kDouble);
  auto a = x.accessor<double, 4>();
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 2; ++c) {
      for (int i = 0; i < 4; ++i) a[n][c][i / 2][i % 2] = kValues[n][c][i];
    }
  }
  return x;
}

Table hand_std(double eps) {
  Table s{};
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 2; ++c) s[n][c] = std::sqrt(kVariance[n][c] + eps);
  }
  return s;
}

// (x − μ)/σ · target_std + target_mean, element by element from the tables.
torch::Tensor hand_restyle(const Table& target_mean, const Table& target_std, double eps) {
  const auto s = hand_std(eps);
  auto out = torch::empty({2, 2, 2, 2}, torch::kDouble);
  auto a = out.accessor<double, 4>();
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 2; ++c) {
      for (int i = 0; i < 4; ++i) {
        a[n][c][i / 2][i % 2] =
            (kValues[n][c][i] - kMean[n][c]) / s[n][c] * target_std[n][c] + target_mean[n][c];
      }
    }
  }
  return out;
}

torch::Tensor swap_pair() { return torch::tensor({1, 0}, torch::kLong); }

// Σ w·f(x) differentiated by central differences, one coordinate at a time.
torch::Tensor numeric_gradient(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                               const torch::Tensor& x, const torch::Tensor& w) {
  constexpr double h = 1e-6;
  auto grad = torch::empty_like(x);
  for (int64_t i = 0; i < x.numel(); ++i) {
    auto plus = x.clone(), minus = x.clone();
    plus.view(-1)[i] += h;
    minus.view(-1)[i] -= h;
    grad.view(-1)[i] = ((f(plus) * w).sum() - (f(minus) * w).sum()) / (2 * h);
  }
  return grad;
}

torch::Tensor autograd_gradient(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                const torch::Tensor& x, const torch::Tensor& w) {
  auto input = x.clone().requires_grad_(true);
  (f(input) * w).sum().backward();
  return input.grad();
}

// The permutations π of 0, 1, 2 for which transform(π) reproduces `out`.
std::vector<std::vector<int64_t>> matching_permutations(
    const torch::Tensor& out, const std::function<torch::Tensor(const torch::Tensor&)>& transform,
    double tolerance) {
  std::vector<std::vector<int64_t>> matches;
  std::vector<int64_t> permutation{0, 1, 2};
  do {
    const auto candidate = transform(torch::tensor(permutation, torch::kLong));
    if (torch::allclose(out, candidate, tolerance, tolerance)) matches.push_back(permutation);
  } while (std::next_permutation(permutation.begin(), permutation.end()));
  return matches;
}

torch::Tensor output_weights() {
  torch::manual_seed(3);
  return torch::randn({2, 2, 2, 2}, torch::kDouble);
}

TEST(MixStyle, TransformMatchesHandComputation) {
  const double eps = MixStyle::kDefaultEps;
  const std::array<double, 2> lambda{0.25, 0.5};
  const auto s = hand_std(eps);
  Table mixed_mean{}, mixed_std{};
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 2; ++c) {
      mixed_mean[n][c] = lambda[n] * kMean[n][c] + (1 - lambda[n]) * kMean[1 - n][c];
      mixed_std[n][c] = lambda[n] * s[n][c] + (1 - lambda[n]) * s[1 - n][c];
    }
  }
  const auto out = mixstyle_transform(tiny_batch(), torch::tensor({0.25, 0.5}), swap_pair());
  EXPECT_TRUE(torch::allclose(out, hand_restyle(mixed_mean, mixed_std, eps), 1e-12, 1e-12));
}

TEST(MixStyle, StatisticsAreDetached) {
  // With μ and σ constants, ∂(Σ w·out)/∂x = w · σmix/σ.
  const double eps = MixStyle::kDefaultEps;
  const std::array<double, 2> lambda{0.25, 0.5};
  const auto s = hand_std(eps);
  const auto w = output_weights();
  auto expected = torch::empty_like(w);
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 2; ++c) {
      const double mixed_std = lambda[n] * s[n][c] + (1 - lambda[n]) * s[1 - n][c];
      expected[n][c] = w[n][c] * (mixed_std / s[n][c]);
    }
  }
  const auto f = [](const torch::Tensor& x) {
    return mixstyle_transform(x, torch::tensor({0.25, 0.5}), swap_pair());
  };
  const auto grad = autograd_gradient(f, tiny_batch(), w);
  EXPECT_TRUE(torch::allclose(grad, expected, 1e-12, 1e-12));
}

TEST(MixStyle, ApplyMixesWithAShuffledBatch) {
  // With α huge, λ concentrates at 0.5 and the result is the λ = 0.5 mix for one permutation.
  torch::manual_seed(4);
  const auto x = torch::randn({3, 2, 3, 3});
  PeerOptions options;
  options.p = 1;
  options.alpha = 1e6;
  const auto half_mix = [&](const torch::Tensor& permutation) {
    return mixstyle_transform(x, torch::full({3}, 0.5), permutation);
  };
  int shuffled = 0;
  for (uint64_t seed = 0; seed < 6; ++seed) {
    auto generator = seeded_generator(seed);
    const auto out = MixStyle(options).apply(x, generator);
    const auto matches = matching_permutations(out, half_mix, 1e-2);
    ASSERT_EQ(matches.size(), 1u) << "seed " << seed;
    shuffled += matches[0] != std::vector<int64_t>{0, 1, 2};
  }
  EXPECT_GT(shuffled, 0);
}

TEST(DSU, TransformMatchesHandComputation) {
  const double eps = DSU::kDefaultEps;
  const Table noise_mean{{{1, -2}, {0.5, 0}}};
  const Table noise_std{{{-1, 0.25}, {2, -0.5}}};
  const auto s = hand_std(eps);
  Table shifted_mean{}, scaled_std{};
  for (int c = 0; c < 2; ++c) {
    // Unbiased variance of two values a, b: (a − b)²/2.
    const double spread_mean = std::sqrt(std::pow(kMean[0][c] - kMean[1][c], 2) / 2 + eps);
    const double spread_std = std::sqrt(std::pow(s[0][c] - s[1][c], 2) / 2 + eps);
    for (int n = 0; n < 2; ++n) {
      shifted_mean[n][c] = kMean[n][c] + noise_mean[n][c] * spread_mean;
      scaled_std[n][c] = s[n][c] + noise_std[n][c] * spread_std;
    }
  }
  const auto out = dsu_transform(tiny_batch(), torch::tensor({1.0, -2.0, 0.5, 0.0}).view({2, 2}),
                                 torch::tensor({-1.0, 0.25, 2.0, -0.5}).view({2, 2}));
  EXPECT_TRUE(torch::allclose(out, hand_restyle(shifted_mean, scaled_std, eps), 1e-12, 1e-12));
}

TEST(DSU, GradientFlowsThroughTheStatistics) {
  const auto noise_mean = torch::tensor({1.0, -2.0, 0.5, 0.0}).view({2, 2});
  const auto noise_std = torch::tensor({-1.0, 0.25, 2.0, -0.5}).view({2, 2});
  const auto f = [&](const torch::Tensor& x) { return dsu_transform(x, noise_mean, noise_std); };
  const auto x = tiny_batch(), w = output_weights();
  EXPECT_TRUE(torch::allclose(autograd_gradient(f, x, w), numeric_gradient(f, x, w), 1e-5, 1e-6));
}

TEST(DSU, ApplyDrawsIndependentStandardNormalNoise) {
  // The drawn εμ, εσ are recovered from the output's instance statistics.
  torch::manual_seed(5);
  const auto x = torch::randn({16, 32, 4, 4}, torch::kDouble);
  PeerOptions options;
  options.p = 1;
  auto generator = seeded_generator(21);
  const auto out = DSU(options).apply(x, generator);
  const double eps = DSU::kDefaultEps;
  const auto spread = [eps](const torch::Tensor& t) { return (t.var(0, true, true) + eps).sqrt(); };
  const auto mean = x.mean({2, 3}), std = (x.var({2, 3}, true) + eps).sqrt();
  // The normalised features have spatial std sqrt(var/(var + eps)), 1 to within 1e-6 here.
  const auto noise_mean = (out.mean({2, 3}) - mean) / spread(mean);
  const auto noise_std = (out.std({2, 3}, true) - std) / spread(std);
  for (const auto& noise : {noise_mean, noise_std}) {
    EXPECT_NEAR(noise.mean().item<double>(), 0, 0.15);
    EXPECT_NEAR(noise.std().item<double>(), 1, 0.15);
  }
  const auto correlation =
      torch::corrcoef(torch::stack({noise_mean.flatten(), noise_std.flatten()}))[0][1];
  EXPECT_LT(std::abs(correlation.item<double>()), 0.15);
}

TEST(DSU, NeedsTwoInstances) {
  PeerOptions options;
  options.p = 1;
  auto generator = seeded_generator(0);
  EXPECT_THROW(DSU(options).apply(torch::randn({1, 2, 3, 3}), generator), Error);
}

TEST(PAdaIN, TransformMatchesHandComputation) {
  const double eps = PAdaIN::kDefaultEps;
  const auto s = hand_std(eps);
  const Table swapped_mean{kMean[1], kMean[0]}, swapped_std{s[1], s[0]};
  const auto out = padain_transform(tiny_batch(), swap_pair());
  EXPECT_TRUE(torch::allclose(out, hand_restyle(swapped_mean, swapped_std, eps), 1e-12, 1e-12));
}

TEST(PAdaIN, BorrowedStatisticsAreDetached) {
  // The reference keeps the instance's own μ, σ in the graph and the borrowed ones constant.
  const double eps = PAdaIN::kDefaultEps;
  const auto s = hand_std(eps);
  const auto borrowed_mean =
      torch::tensor({kMean[1][0], kMean[1][1], kMean[0][0], kMean[0][1]}, torch::kDouble);
  const auto borrowed_std = torch::tensor({s[1][0], s[1][1], s[0][0], s[0][1]}, torch::kDouble);
  const auto reference = [&](const torch::Tensor& x) {
    const auto mean = x.mean({2, 3}, true), std = (x.var({2, 3}, true, true) + eps).sqrt();
    return (x - mean) / std * borrowed_std.view({2, 2, 1, 1}) + borrowed_mean.view({2, 2, 1, 1});
  };
  const auto x = tiny_batch(), w = output_weights();
  const auto grad = autograd_gradient(
      [](const torch::Tensor& input) { return padain_transform(input, swap_pair()); }, x, w);
  EXPECT_TRUE(torch::allclose(grad, numeric_gradient(reference, x, w), 1e-5, 1e-6));
}

TEST(CrossNorm, TransformMatchesHandComputation) {
  const double eps = CrossNorm::kDefaultEps;
  const auto s = hand_std(eps);
  const Table swapped_mean{kMean[1], kMean[0]}, swapped_std{s[1], s[0]};
  const auto out = crossnorm_transform(tiny_batch(), swap_pair());
  EXPECT_TRUE(torch::allclose(out, hand_restyle(swapped_mean, swapped_std, eps), 1e-12, 1e-12));
}

TEST(CrossNorm, GradientFlowsThroughBorrowedStatistics) {
  const auto f = [](const torch::Tensor& x) { return crossnorm_transform(x, swap_pair()); };
  const auto x = tiny_batch(), w = output_weights();
  const auto grad = autograd_gradient(f, x, w);
  EXPECT_TRUE(torch::allclose(grad, numeric_gradient(f, x, w), 1e-5, 1e-6));
  // pAdaIN computes the same values but detaches what it borrows, so its gradient differs.
  const auto padain_grad = autograd_gradient(
      [](const torch::Tensor& input) { return padain_transform(input, swap_pair()); }, x, w);
  EXPECT_GT((grad - padain_grad).abs().max().item<double>(), 1e-3);
}

TEST(FeaturePerturbation, SwapMethodsApplyOnePermutation) {
  torch::manual_seed(6);
  const auto x = torch::randn({3, 2, 3, 3});
  PeerOptions options;
  options.p = 1;
  const auto swap = [&](const torch::Tensor& permutation) {
    return padain_transform(x, permutation);
  };
  for (const std::string method : {"padain", "crossnorm"}) {
    const auto perturbation = make_feature_perturbation(method, options);
    int shuffled = 0;
    for (uint64_t seed = 0; seed < 6; ++seed) {
      auto generator = seeded_generator(seed);
      const auto matches = matching_permutations(perturbation->apply(x, generator), swap, 1e-5);
      ASSERT_EQ(matches.size(), 1u) << method << " seed " << seed;
      shuffled += matches[0] != std::vector<int64_t>{0, 1, 2};
    }
    EXPECT_GT(shuffled, 0) << method;
  }
}

TEST(FeaturePerturbation, ZeroProbabilityIsTheIdentity) {
  torch::manual_seed(7);
  const auto x = torch::randn({4, 3, 3, 3});
  PeerOptions options;
  options.p = 0;
  for (const auto& method : feature_perturbation_names()) {
    const auto perturbation = make_feature_perturbation(method, options);
    for (uint64_t seed = 0; seed < 20; ++seed) {
      auto generator = seeded_generator(seed);
      EXPECT_TRUE(perturbation->apply(x, generator).is_same(x)) << method << " seed " << seed;
    }
  }
}

TEST(FeaturePerturbation, SameSeedGivesSameOutput) {
  torch::manual_seed(8);
  const auto x = torch::randn({4, 3, 3, 3});
  PeerOptions options;
  options.p = 1;
  for (const auto& method : feature_perturbation_names()) {
    const auto perturbation = make_feature_perturbation(method, options);
    const auto run = [&](uint64_t seed) {
      auto generator = seeded_generator(seed);
      return perturbation->apply(x, generator);
    };
    const auto first = run(7);
    EXPECT_TRUE(torch::equal(first, run(7))) << method;
    bool another_seed_differs = false;
    for (uint64_t seed = 8; seed < 12; ++seed) {
      another_seed_differs |= !torch::equal(first, run(seed));
    }
    EXPECT_TRUE(another_seed_differs) << method;
  }
}

TEST(FeaturePerturbation, PreservesShapeAndDtype) {
  PeerOptions options;
  options.p = 1;
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto x = torch::rand({4, 3, 5, 2}, dtype);
    for (const auto& method : feature_perturbation_names()) {
      auto generator = seeded_generator(1);
      const auto out = make_feature_perturbation(method, options)->apply(x, generator);
      EXPECT_EQ(out.sizes(), x.sizes()) << method;
      EXPECT_EQ(out.scalar_type(), dtype) << method;
      EXPECT_FALSE(torch::equal(out, x)) << method;
      EXPECT_TRUE(torch::isfinite(out).all().item<bool>()) << method;
    }
  }
}

TEST(FeaturePerturbation, PerturbsABatchWithProbabilityP) {
  const auto x = torch::rand({4, 2, 2, 2});
  PeerOptions options;
  options.p = 0.3;
  for (const auto& method : feature_perturbation_names()) {
    const auto perturbation = make_feature_perturbation(method, options);
    int perturbed = 0;
    for (uint64_t seed = 0; seed < 300; ++seed) {
      auto generator = seeded_generator(seed);
      perturbed += !perturbation->apply(x, generator).is_same(x);
    }
    // Binomial(300, 0.3): mean 90, standard deviation 7.9.
    EXPECT_GT(perturbed, 60) << method;
    EXPECT_LT(perturbed, 120) << method;
  }
}

TEST(FeaturePerturbation, FactoryUsesThePapersDefaults) {
  const std::vector<std::pair<std::string, double>> defaults{
      {"mixstyle", 0.5}, {"dsu", 0.5}, {"padain", 0.01}, {"crossnorm", 0.5}};
  for (const auto& [method, p] : defaults) {
    const auto perturbation = make_feature_perturbation(method);
    EXPECT_EQ(perturbation->name(), method);
    EXPECT_DOUBLE_EQ(perturbation->probability(), p) << method;
  }
  EXPECT_DOUBLE_EQ(MixStyle().alpha(), 0.1);
  EXPECT_DOUBLE_EQ(MixStyle().eps(), 1e-6);
  EXPECT_DOUBLE_EQ(DSU().eps(), 1e-6);
  EXPECT_DOUBLE_EQ(PAdaIN().eps(), 1e-5);
  EXPECT_DOUBLE_EQ(CrossNorm().eps(), 1e-5);
  PeerOptions options;
  options.p = 0.2;
  options.eps = 1e-3;
  const PAdaIN padain(options);
  EXPECT_DOUBLE_EQ(padain.probability(), 0.2);
  EXPECT_DOUBLE_EQ(padain.eps(), 1e-3);
}

TEST(FeaturePerturbation, UnknownMethodListsValidNames) {
  try {
    make_feature_perturbation("stylemix");
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("stylemix"), std::string::npos) << message;
    for (const auto& name : feature_perturbation_names()) {
      EXPECT_NE(message.find(name), std::string::npos) << message;
    }
  }
}

TEST(FeaturePerturbation, InvalidOptionsThrow) {
  std::vector<PeerOptions> invalid(6);
  invalid[0].p = -0.1;
  invalid[1].p = 1.5;
  invalid[2].p = std::nan("");
  invalid[3].alpha = 0;
  invalid[4].alpha = -1;
  invalid[5].eps = 0;
  for (const auto& options : invalid) {
    for (const auto& method : feature_perturbation_names()) {
      EXPECT_THROW(make_feature_perturbation(method, options), Error) << method;
    }
  }
  EXPECT_THROW(MixStyle{invalid[3]}, Error);
  PeerOptions edge;
  edge.p = 1;
  EXPECT_NO_THROW(make_feature_perturbation("mixstyle", edge));
}

TEST(FeaturePerturbation, InvalidInputsThrow) {
  const auto x = torch::rand({2, 2, 2, 2});
  PeerOptions options;
  options.p = 1;
  for (const auto& method : feature_perturbation_names()) {
    const auto perturbation = make_feature_perturbation(method, options);
    auto generator = seeded_generator(0);
    EXPECT_THROW(perturbation->apply(torch::rand({2, 2, 4}), generator), Error) << method;
    EXPECT_THROW(perturbation->apply(torch::rand({2, 2, 1, 1}), generator), Error) << method;
  }
  EXPECT_THROW(padain_transform(x, torch::tensor({0, 0}, torch::kLong)), Error);
  EXPECT_THROW(crossnorm_transform(x, torch::tensor({0, 1, 2}, torch::kLong)), Error);
  EXPECT_THROW(mixstyle_transform(x, torch::tensor({0.5}), swap_pair()), Error);
  EXPECT_THROW(dsu_transform(x, torch::zeros({2, 3}), torch::zeros({2, 2})), Error);
}

}  // namespace
}  // namespace advbn
