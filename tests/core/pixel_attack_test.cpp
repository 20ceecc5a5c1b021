// AdvProp's pixel attack: the loss rises, the images stay inside the ε-ball and the pixel range
// (both in normalised units), ε = 0 changes nothing, bad options are refused.
#include "advbn/core/pixel_attack.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/data/normalization.h"
#include "advbn/error.h"
#include "advbn/models/network_factory.h"

namespace advbn {
namespace {

struct PixelSetup {
  StagedNetwork network;
  torch::Tensor images, labels;
  ImageLoss loss;
  data::Normalization normalization = data::imagenet_normalization();
};

PixelSetup make_pixel_setup() {
  torch::manual_seed(0);
  PixelSetup s;
  s.network = create_network({"resnet18", 10, Stem::Small, 0.25});
  s.network->set_cut("layer1");
  s.network->freeze_prefix();
  s.network->eval();
  // Normalised images of pixels in [0, 1].
  const auto mean = torch::tensor(std::vector<float>(s.normalization.mean.begin(), s.normalization.mean.end())).view({1, 3, 1, 1});
  const auto std = torch::tensor(std::vector<float>(s.normalization.std.begin(), s.normalization.std.end())).view({1, 3, 1, 1});
  s.images = (torch::rand({8, 3, 16, 16}) - mean) / std;
  s.labels = torch::randint(0, 10, {8}, torch::kLong);
  auto network = s.network;
  auto labels = s.labels;
  s.loss = [network, labels](const torch::Tensor& x) {
    return torch::cross_entropy_loss(network->suffix(network->prefix(x), BNBranch::Adv), labels);
  };
  return s;
}

TEST(PixelAttack, RaisesTheLossInsideTheBallAndThePixelRange) {
  auto s = make_pixel_setup();
  PixelAttackOptions options;
  options.epsilon = 4.0 / 255;
  options.step_size = 1.0 / 255;
  options.steps = 5;
  const auto attacked = pixel_attack(s.images, s.loss, options, s.normalization.mean, s.normalization.std);
  torch::NoGradGuard no_grad;
  EXPECT_GT(s.loss(attacked).item<double>(), s.loss(s.images).item<double>() + 1e-3);
  for (int c = 0; c < 3; ++c) {
    const double std = s.normalization.std[c], mean = s.normalization.mean[c];
    const auto change = (attacked.select(1, c) - s.images.select(1, c)).abs().max().item<double>();
    EXPECT_LE(change, options.epsilon / std + 1e-5) << c;
    EXPECT_GT(change, 0.5 * options.epsilon / std) << c;
    const auto pixels = attacked.select(1, c) * std + mean;
    EXPECT_GE(pixels.min().item<double>(), -1e-5) << c;
    EXPECT_LE(pixels.max().item<double>(), 1 + 1e-5) << c;
  }
  EXPECT_FALSE(attacked.requires_grad());
  for (const auto& p : s.network->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(PixelAttack, ZeroEpsilonChangesNothingAndBadOptionsAreRefused) {
  auto s = make_pixel_setup();
  PixelAttackOptions options;
  options.epsilon = 0;
  const auto attacked = pixel_attack(s.images, s.loss, options, s.normalization.mean, s.normalization.std);
  EXPECT_TRUE(torch::allclose(attacked, s.images, 0, 1e-6));
  for (const PixelAttackOptions bad : {PixelAttackOptions{-0.1, 0.01, 1}, PixelAttackOptions{0.1, 0, 1},
                                       PixelAttackOptions{0.1, 0.01, 0}}) {
    EXPECT_THROW(bad.validate(), Error);
  }
}

}  // namespace
}  // namespace advbn
