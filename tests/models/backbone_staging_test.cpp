// DenseNet-121, EfficientNet-B0 and VGG-19 (with and without BN) in the staged-network
// interface: cuts anywhere, AdvBN attacks and Algorithm 1 training steps at a mid-network cut.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/models/network_factory.h"

namespace advbn {
namespace {

constexpr int64_t kClasses = 10;
constexpr int64_t kImageSize = 32;

struct Backbone {
  std::string arch;
  std::string mid_cut;   // a block (or alias) in the middle of the network
  double learning_rate;  // for a few SGD steps from torchvision's initialisation
  // Train-mode passes that fit BN running statistics before an eval-mode attack (see
  // fit_batch_norm_statistics); 0 where the untrained network passes signal without them.
  int statistics_passes;
};

std::ostream& operator<<(std::ostream& out, const Backbone& b) { return out << b.arch; }

class StagedBackbone : public ::testing::TestWithParam<Backbone> {};

TEST_P(StagedBackbone, PrefixThenSuffixEqualsForwardAtEveryCut) {
  torch::manual_seed(0);
  auto network = create_network({GetParam().arch, kClasses});
  network->eval();
  const auto x = torch::randn({2, 3, kImageSize, kImageSize});
  torch::NoGradGuard no_grad;
  const auto full = network->forward(x);
  ASSERT_EQ(full.sizes(), (std::vector<int64_t>{2, kClasses}));
  const double tolerance = 1e-5 * full.abs().max().item<double>();
  for (const auto& cut : network->block_names()) {
    network->set_cut(cut);
    EXPECT_TRUE(torch::allclose(network->suffix(network->prefix(x)), full, 0, tolerance)) << cut;
  }
}

// Multiplicative AdvBN on the statistics at the cut, as in the attack tool: the suffix in eval mode
// on the adversarial BNs, clamped at zero only where the features are post-ReLU.
AdvBNResult attack_at(StagedNetworkImpl& network, const torch::Tensor& features,
                      const torch::Tensor& labels, int steps) {
  AdvBNOptions options;
  options.steps = steps;
  options.relu_clamp = network.cut_is_post_relu();
  network.eval();
  return AdvBatchNorm(options).attack(features, [&](const torch::Tensor& f) {
    return torch::cross_entropy_loss(network.suffix(f, BNBranch::Adv), labels);
  });
}

// An untrained EfficientNet-B0 in eval mode gives the same logits for every image (to ~1e-7, as in
// torchvision), so no attack can change them: its BN running statistics are first fitted to the
// batch, as a pretrained network's are fitted to its data. With BN momentum 0.1 the means need
// ~100 passes before their residual error stops swamping the per-image variation.
void fit_batch_norm_statistics(StagedNetworkImpl& network, const torch::Tensor& images,
                               int passes) {
  torch::NoGradGuard no_grad;
  network.train();
  for (int pass = 0; pass < passes; ++pass) network.forward(images);
  network.copy_main_to_twins();
  network.eval();
}

TEST_P(StagedBackbone, AdvBNAttackAtMidCutRaisesTheLoss) {
  torch::manual_seed(1);
  auto network = create_network({GetParam().arch, kClasses});
  const auto images = torch::randn({8, 3, kImageSize, kImageSize});
  fit_batch_norm_statistics(*network, images, GetParam().statistics_passes);
  network->set_cut(GetParam().mid_cut);
  network->freeze_prefix();
  network->eval();
  torch::Tensor features, labels;
  {
    torch::NoGradGuard no_grad;
    features = network->prefix(images);
    labels = network->suffix(features).argmax(1);  // the attack must move predictions away
  }
  const auto result = attack_at(*network, features, labels, 6);
  // VGG-19's initial classifier (weights ~N(0, 0.01)) keeps every loss close to ln 10.
  EXPECT_GT(result.losses.back(), result.losses.front() + 0.01) << GetParam().mid_cut;
  for (const auto& p : network->parameters()) EXPECT_FALSE(p.grad().defined());
}

// Algorithm 1 steps on one batch: attack, then SGD on clean and adversarial features through the
// suffix's split BNs. Every pass draws the same dropout and stochastic-depth masks, so that the
// loss before and after training is one deterministic function of the weights.
TEST_P(StagedBackbone, AdvBNTrainingAtMidCutLowersTheLoss) {
  torch::manual_seed(2);
  auto network = create_network({GetParam().arch, kClasses});
  network->set_cut(GetParam().mid_cut);
  network->freeze_prefix();
  const auto images = torch::randn({4, 3, kImageSize, kImageSize});
  const auto labels = torch::randint(0, kClasses, {4}, torch::kLong);
  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = network->prefix(images);
  }
  auto training_loss = [&] {
    const auto attacked = attack_at(*network, features, labels, 3).features;
    network->train();
    torch::manual_seed(3);
    return torch::cross_entropy_loss(network->suffix(features, BNBranch::Clean), labels) +
           torch::cross_entropy_loss(network->suffix(attacked, BNBranch::Adv), labels);
  };
  torch::optim::SGD optimizer(network->suffix_parameters(),
                              torch::optim::SGDOptions(GetParam().learning_rate));
  const double before = training_loss().item<double>();
  for (int step = 0; step < 5; ++step) {
    const auto loss = training_loss();
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  const double after = training_loss().item<double>();
  EXPECT_LT(after, 0.9 * before) << "before " << before << ", after " << after;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, StagedBackbone,
                         ::testing::Values(Backbone{"densenet121", "transition2", 0.01, 0},
                                           Backbone{"efficientnet_b0", "features.4", 0.01, 100},
                                           Backbone{"vgg19", "pool4", 0.1, 0},
                                           Backbone{"vgg19_bn", "relu4_1", 0.01, 0}),
                         [](const auto& info) { return info.param.arch; });

}  // namespace
}  // namespace advbn
