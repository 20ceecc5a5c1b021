#include "advbn/core/adv_batch_norm.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/io/weights_file.h"
#include "advbn/models/network_factory.h"
#include "advbn/models/weights.h"
#include "test_support.h"

namespace advbn {
namespace {

// A small network cut after layer1, in eval mode on the adversarial BN branch as during an attack.
struct AttackSetup {
  StagedNetwork network;
  torch::Tensor features, labels;
  FeatureLoss loss;
};

AttackSetup make_setup(torch::Dtype dtype = torch::kFloat) {
  torch::manual_seed(0);
  AttackSetup s;
  s.network = create_network({"resnet18", 10, Stem::Small, 0.25});
  s.network->to(dtype);
  s.network->set_cut("layer1");
  s.network->freeze_prefix();
  s.network->eval();
  const auto images = torch::randn({8, 3, 16, 16}, dtype);
  s.labels = torch::randint(0, 10, {8}, torch::kLong);
  {
    torch::NoGradGuard no_grad;
    s.features = s.network->prefix(images);
  }
  auto network = s.network;
  auto labels = s.labels;
  s.loss = [network, labels](const torch::Tensor& f) {
    return torch::cross_entropy_loss(network->suffix(f, BNBranch::Adv), labels);
  };
  return s;
}

TEST(AdvBatchNorm, ZeroEpsilonIsTheIdentity) {
  auto s = make_setup();
  AdvBNOptions options;
  options.epsilon = 0;
  const auto result = AdvBatchNorm(options).attack(s.features, s.loss);
  EXPECT_TRUE(torch::equal(result.delta_mu, torch::ones_like(result.delta_mu)));
  EXPECT_TRUE(torch::equal(result.delta_sigma, torch::ones_like(result.delta_sigma)));
  EXPECT_TRUE(torch::allclose(result.features, s.features, 1e-5, 1e-6));
  ASSERT_EQ(result.losses.size(), 7u);
  EXPECT_NEAR(result.losses.front(), result.losses.back(), 1e-5);
}

TEST(AdvBatchNorm, DeltaStaysWithinBoundsAndLossRises) {
  auto s = make_setup();
  for (const auto kind : {PerturbationKind::Multiplicative, PerturbationKind::Additive}) {
    for (const bool random_start : {false, true}) {
      AdvBNOptions options;
      options.epsilon = 0.5;
      options.kind = kind;
      options.random_start = random_start;
      const auto result = AdvBatchNorm(options).attack(s.features, s.loss);
      if (kind == PerturbationKind::Multiplicative) {
        for (const auto& d : {result.delta_mu, result.delta_sigma}) {
          EXPECT_GE(d.min().item<float>(), 0.5f - 1e-6f);
          EXPECT_LE(d.max().item<float>(), 1.5f + 1e-6f);
        }
      } else {
        const auto stats = feature_stats(s.features);
        EXPECT_LE(result.delta_mu.abs().max().item<float>(),
                  0.5f * stats.mean.abs().max().item<float>() + 1e-5f);
        EXPECT_LE(result.delta_sigma.abs().max().item<float>(),
                  0.5f * stats.std.max().item<float>() + 1e-5f);
      }
      EXPECT_GT(result.losses.back(), result.losses.front() + 0.05)
          << to_string(kind) << " random_start=" << random_start;
      EXPECT_GE(result.features.min().item<float>(), 0.0f);  // ReLU clamp
    }
  }
}

TEST(AdvBatchNorm, LeavesNoParameterGradients) {
  auto s = make_setup();
  AdvBatchNorm(AdvBNOptions{}).attack(s.features, s.loss);
  for (const auto& p : s.network->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(AdvBatchNorm, GradientWithRespectToDeltaMatchesFiniteDifferences) {
  auto s = make_setup(torch::kDouble);
  AdvBNOptions options;
  options.relu_clamp = false;  // keep the loss smooth in δ
  const AdvBatchNorm advbn(options);
  const auto stats = feature_stats(s.features);
  torch::manual_seed(5);
  auto delta_mu = (1 + 0.3 * torch::randn_like(stats.mean)).requires_grad_(true);
  auto delta_sigma = (1 + 0.3 * torch::randn_like(stats.std)).requires_grad_(true);
  const auto grads = torch::autograd::grad(
      {s.loss(advbn.perturb(s.features, stats, delta_mu, delta_sigma))}, {delta_mu, delta_sigma});

  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  for (int which = 0; which < 2; ++which) {
    for (int64_t c = 0; c < stats.mean.size(0); c += 3) {
      auto loss_at = [&](double offset) {
        auto mu = delta_mu.detach().clone();
        auto sigma = delta_sigma.detach().clone();
        (which == 0 ? mu : sigma)[c] += offset;
        return s.loss(advbn.perturb(s.features, stats, mu, sigma)).item<double>();
      };
      const double numeric = (loss_at(h) - loss_at(-h)) / (2 * h);
      EXPECT_NEAR(grads[which][c].item<double>(), numeric, 1e-6 + 1e-4 * std::abs(numeric))
          << (which == 0 ? "delta_mu[" : "delta_sigma[") << c << "]";
    }
  }
}

TEST(AdvBatchNorm, MatchesWrittenReferenceOfTheAttack) {
  const auto reference = io::load_weights(test::fixture("attack_reference.pth"));
  auto get = [&](const std::string& name) {
    for (const auto& [key, t] : reference) {
      if (key == name) return t;
    }
    throw std::runtime_error("fixture lacks " + name);
  };
  auto network = load_network({"resnet18", 10}, test::fixture("resnet18_c10.pth"), true);
  network->to(torch::kDouble);
  network->set_cut("layer1");
  network->freeze_prefix();
  network->eval();
  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = network->prefix(get("images"));
  }
  const auto labels = get("labels");
  // With trainable parameters BN runs as batch_norm; with frozen ones (as in advbn_step) as an
  // affine map: both must follow the reference.
  for (const bool parameters_frozen : {false, true}) {
    SCOPED_TRACE(parameters_frozen ? "frozen parameters" : "trainable parameters");
    for (auto& p : network->suffix_parameters()) p.requires_grad_(!parameters_frozen);
    const auto result = AdvBatchNorm(AdvBNOptions{}).attack(features, [&](const torch::Tensor& f) {
      return torch::cross_entropy_loss(network->suffix(f, BNBranch::Adv), labels);
    });
    EXPECT_TRUE(torch::allclose(result.delta_mu, get("delta_mu"), 0, 1e-9));
    EXPECT_TRUE(torch::allclose(result.delta_sigma, get("delta_sigma"), 0, 1e-9));
    const auto losses = get("loss");
    ASSERT_EQ(static_cast<int64_t>(result.losses.size()), losses.numel());
    for (size_t i = 0; i < result.losses.size(); ++i) {
      EXPECT_NEAR(result.losses[i], losses[i].item<double>(), 1e-8) << "step " << i;
    }
  }
}

// The perturbation has its own backward pass (it recomputes what autograd would save); its
// gradients must be those of the formula differentiated by autograd, clamp included.
TEST(AdvBatchNorm, PerturbationGradientsMatchAutogradOfTheFormula) {
  torch::manual_seed(11);
  const auto opts = torch::TensorOptions(torch::kDouble).requires_grad(true);
  // Mean shifted so that part of the perturbed features falls below 0 and is clamped.
  const auto features = torch::randn({4, 5, 3, 3}, opts);
  const auto mean = torch::randn({5}, opts);
  const auto delta_mu = (1 + 0.5 * torch::randn({5}, torch::kDouble)).requires_grad_(true);
  const auto delta_sigma = (1 + 0.5 * torch::randn({5}, torch::kDouble)).requires_grad_(true);
  const auto upstream = torch::randn({4, 5, 3, 3}, torch::kDouble);
  const std::vector<torch::Tensor> inputs = {features, mean, delta_mu, delta_sigma};

  const FeatureStats stats{mean, torch::ones({5}, torch::kDouble)};
  const auto ours = torch::autograd::grad(
      {(AdvBatchNorm(AdvBNOptions{}).perturb(features, stats, delta_mu, delta_sigma) * upstream).sum()},
      inputs);
  const auto c = [](const torch::Tensor& t) { return t.view({1, -1, 1, 1}); };
  const auto formula = (c(delta_sigma) * (features - c(mean)) + c(delta_mu) * c(mean)).clamp_min(0);
  ASSERT_GT(formula.eq(0).sum().item<int64_t>(), 0) << "the clamp must be exercised";
  const auto expected = torch::autograd::grad({(formula * upstream).sum()}, inputs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ours[i], expected[i], 1e-12, 1e-12)) << "input " << i;
  }
}

// The cheaper variants: an attack started from an earlier solution begins at that δ, and a reused
// solution gives the features that solution's attack gave, with no loss evaluated.
TEST(AdvBatchNorm, WarmStartBeginsAtTheGivenDeltaAndReuseRepeatsIt) {
  auto s = make_setup();
  const AdvBatchNorm advbn(AdvBNOptions{});
  const auto first = advbn.attack(s.features, s.loss);
  const auto reused = advbn.reuse(s.features, first);
  EXPECT_TRUE(reused.losses.empty());
  EXPECT_TRUE(torch::equal(reused.delta_mu, first.delta_mu));
  EXPECT_TRUE(torch::allclose(reused.features, first.features, 0, 1e-6));
  const auto warm = advbn.attack(s.features, s.loss, true, &first);
  EXPECT_NEAR(warm.losses.front(), first.losses.back(), 1e-5);  // the loss at first's final δ
  EXPECT_GT(std::abs(warm.losses.front() - first.losses.front()), 1e-3);

  // Outside this batch's bounds (another ε), δ is clamped into them.
  AdvBNOptions narrow;
  narrow.epsilon = 0.1;
  const auto clamped = AdvBatchNorm(narrow).reuse(s.features, first);
  EXPECT_LE(clamped.delta_sigma.max().item<double>(), 1.1 + 1e-6);
  EXPECT_GE(clamped.delta_sigma.min().item<double>(), 0.9 - 1e-6);
}

TEST(AdvBatchNormOptions, RejectsImpossibleValues) {
  AdvBNOptions options;
  options.epsilon = -0.1;
  EXPECT_THROW(AdvBatchNorm{options}, Error);
  options = {};
  options.steps = -1;
  EXPECT_THROW(AdvBatchNorm{options}, Error);
  EXPECT_THROW(parse_perturbation_kind("sideways"), Error);
}

}  // namespace
}  // namespace advbn
