// bf16 autocast around a training step: convolutions in bfloat16, weights and AdvBN statistics
// in float32, the previous autocast state restored; fp64 weights.
#include "advbn/train/precision.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/network_factory.h"
#include "advbn/train/training_method.h"
#include "advbn/train/training_step.h"
#include "advbn/data/normalization.h"

namespace advbn {
namespace {

TEST(Precision, Bf16ScopeRunsConvolutionsInBfloat16AndRestoresTheState) {
  const auto x = torch::randn({1, 2, 5, 5});
  const auto w = torch::randn({3, 2, 3, 3});
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  {
    const AutocastScope scope(Precision::BF16, torch::kCPU);
    EXPECT_EQ(torch::conv2d(x, w).scalar_type(), torch::kBFloat16);
    {
      const AutocastScope fp32(Precision::FP32, torch::kCPU);  // does nothing
      EXPECT_EQ(torch::conv2d(x, w).scalar_type(), torch::kBFloat16);
    }
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::conv2d(x, w).scalar_type(), torch::kFloat32);
}

// A small network ready for fine-tuning at layer1, its random weights seeded.
StagedNetwork seeded_fine_tuning_network() {
  torch::manual_seed(3);
  auto network = create_network({"resnet18", 4, Stem::Small, 0.125});
  network->set_cut("layer1");
  network->freeze_prefix();
  network->copy_main_to_twins();
  network->train();
  return network;
}

TEST(Precision, Bf16AdvBNStepKeepsFloat32WeightsAndFollowsTheFloat32Step) {
  std::vector<double> losses;
  for (const auto precision : {Precision::FP32, Precision::BF16}) {
    auto network = seeded_fine_tuning_network();
    torch::optim::SGD optimizer(network->suffix_parameters(), torch::optim::SGDOptions(0.05));
    const AdvBatchNorm advbn(AdvBNOptions{});
    const auto images = torch::randn({8, 3, 16, 16});
    const auto labels = torch::randint(0, 4, {8});
    const AutocastScope scope(precision, torch::kCPU);
    const auto result = advbn_step(*network, advbn, 1.0, optimizer, images, labels);
    ASSERT_TRUE(result.updated);
    losses.push_back(result.loss);
    for (const auto& p : network->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat32);
  }
  // bfloat16 keeps 8 bits of mantissa: the losses agree to about 1%, not to float32 rounding.
  EXPECT_NEAR(losses[1], losses[0], 0.03 * losses[0]);
  EXPECT_NE(losses[1], losses[0]);
}

// --attack-bf16: the attack's passes in bf16, the update in float32. The clean half of the update
// comes first and does not depend on the attack, so it must equal the float32 method's exactly;
// the adversarial half follows δ, which mostly agrees.
TEST(Precision, Bf16AttackLeavesTheUpdateInFloat32) {
  std::vector<StepResult> results;
  for (const bool attack_bf16 : {false, true}) {
    auto network = seeded_fine_tuning_network();
    torch::optim::SGD optimizer(network->suffix_parameters(), torch::optim::SGDOptions(0.05));
    TrainConfig config;
    config.attack_bf16 = attack_bf16;
    const auto method = make_training_method(config, *network, data::imagenet_normalization());
    const auto images = torch::randn({8, 3, 16, 16});
    const auto labels = torch::randint(0, 4, {8});
    results.push_back(method->step(*network, optimizer, images, labels, 0, nullptr));
    ASSERT_TRUE(results.back().updated);
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(results.back().adv_logits.scalar_type(), torch::kFloat32);
  }
  EXPECT_EQ(results[1].clean_loss, results[0].clean_loss);
  EXPECT_TRUE(torch::equal(results[1].clean_logits, results[0].clean_logits));
  EXPECT_NE(results[1].adv_loss, results[0].adv_loss);
  EXPECT_NEAR(results[1].adv_loss, results[0].adv_loss, 0.05 * results[0].adv_loss);
}

// Sign steps flip where a channel's gradient is near zero, so δ differs in places; what matters is
// that the bf16 attack's δ, evaluated in float32, is about as adversarial as the float32 attack's.
TEST(Precision, Bf16AttackIsNearlyAsStrongAsTheFloat32Attack) {
  torch::manual_seed(5);
  auto network = create_network({"resnet18", 10, Stem::Small, 0.25});
  network->set_cut("layer1");
  network->eval();
  const auto images = torch::randn({16, 3, 16, 16});
  const auto labels = torch::randint(0, 10, {16});
  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = network->prefix(images);
  }
  const FeatureLoss loss = [&](const torch::Tensor& f) {
    return torch::cross_entropy_loss(network->suffix(f, BNBranch::Adv), labels);
  };
  const AdvBatchNorm advbn(AdvBNOptions{});
  const auto fp32 = advbn.attack(features, loss);
  const auto bf16 = [&] {
    const AutocastScope scope(Precision::BF16, torch::kCPU);
    return advbn.attack(features, loss);
  }();
  EXPECT_EQ(bf16.delta_mu.scalar_type(), torch::kFloat32);
  EXPECT_EQ(bf16.features.scalar_type(), torch::kFloat32);
  const double clean = fp32.losses.front(), fp32_adversarial = fp32.losses.back();
  const double bf16_adversarial = loss(advbn.reuse(features, bf16).features).item<double>();
  ASSERT_GT(fp32_adversarial, clean + 0.1);
  EXPECT_GT(bf16_adversarial - clean, 0.8 * (fp32_adversarial - clean))
      << "clean " << clean << ", fp32 δ " << fp32_adversarial << ", bf16 δ " << bf16_adversarial;
  EXPECT_FALSE(torch::equal(bf16.delta_sigma, fp32.delta_sigma));  // it did run in bf16
}

TEST(Precision, Bf16AttackNeedsAFloat32Run) {
  TrainConfig config;
  config.data = "d";
  config.out = "o";
  config.weights = "w";
  config.attack_bf16 = true;
  EXPECT_NO_THROW(config.validate());
  config.precision = Precision::FP64;
  EXPECT_THROW(config.validate(), Error);
  config.precision = Precision::FP32;
  EXPECT_TRUE(TrainConfig::from_json(config.to_json()).attack_bf16);
}

TEST(Precision, NamesAndWeightTypes) {
  EXPECT_EQ(parse_precision("bf16"), Precision::BF16);
  EXPECT_EQ(weight_dtype(Precision::FP64), torch::kFloat64);
  EXPECT_EQ(weight_dtype(Precision::BF16), torch::kFloat32);
  EXPECT_THROW(parse_precision("fp16"), Error);
}

}  // namespace
}  // namespace advbn
