#include "advbn/train/training_step.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "advbn/memory/cpu_block_cache.h"
#include "advbn/models/network_factory.h"

namespace advbn {
namespace {

namespace F = torch::nn::functional;

// Gives every auxiliary BN other statistics and affine parameters than its main BN, as after
// AdvBN fine-tuning, so that a result depends on which branch computed it.
void make_twins_differ(StagedNetworkImpl& network) {
  torch::NoGradGuard no_grad;
  for (const auto& module : network.modules(/*include_self=*/false)) {
    auto* bn = module->as<DualBatchNorm2dImpl>();
    if (!bn) continue;
    bn->twin->running_mean.normal_(0, 0.5);
    bn->twin->running_var.uniform_(0.3, 3);
    bn->twin->weight.uniform_(0.5, 1.5);
    bn->twin->bias.normal_(0, 0.3);
  }
}

// A small fine-tuning set-up: ResNet-18 at 1/8 width cut after layer1, its prefix frozen, its
// auxiliary BNs unlike the main ones. Built from the same seed, two set-ups hold identical weights.
struct FineTuning {
  StagedNetwork network;
  std::unique_ptr<torch::optim::SGD> optimizer;
  torch::Tensor images, labels;

  explicit FineTuning(int64_t batch = 6, int64_t image_size = 16) {
    torch::manual_seed(7);
    network = create_network({"resnet18", 5, Stem::Small, 0.125});
    network->set_cut("layer1");
    network->freeze_prefix();
    network->copy_main_to_twins();
    make_twins_differ(*network);
    network->train();
    // lr 0: the step leaves the weights as they were and its gradients in place to compare.
    optimizer = std::make_unique<torch::optim::SGD>(network->suffix_parameters(),
                                                    torch::optim::SGDOptions(0.0));
    images = torch::randn({batch, 3, image_size, image_size});
    labels = torch::randint(0, 5, {batch}, torch::kLong);
  }
};

AdvBatchNorm attack_options() {
  AdvBNOptions options;
  options.steps = 3;
  return AdvBatchNorm(options);
}

// Algorithm 1 written out once, directly: the prefix, the attack on the adversarial BNs in eval
// mode, and two separate suffix passes, one per BN branch. `attack_branch` other than Adv gives
// a wrong variant, to show that the comparison can tell them apart.
torch::Tensor reference_advbn_loss(StagedNetworkImpl& network, const AdvBatchNorm& advbn,
                                   double gamma, const torch::Tensor& images,
                                   const torch::Tensor& labels, BNBranch attack_branch = BNBranch::Adv) {
  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = network.prefix(images);
  }
  network.eval();
  const auto attack = advbn.attack(features, [&](const torch::Tensor& f) {
    return F::cross_entropy(network.suffix(f, attack_branch), labels);
  });
  network.train();
  const auto clean = F::cross_entropy(network.suffix(features, BNBranch::Clean), labels);
  const auto adv = F::cross_entropy(network.suffix(attack.features, BNBranch::Adv), labels);
  return clean + gamma * adv;
}

void expect_same_state(StagedNetworkImpl& a, StagedNetworkImpl& b, double tolerance) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  for (const auto& item : pa) {
    const auto& other = pb[item.key()];
    EXPECT_TRUE(torch::allclose(item.value(), other, 0, tolerance)) << item.key();
    ASSERT_EQ(item.value().grad().defined(), other.grad().defined()) << item.key();
    if (item.value().grad().defined()) {
      EXPECT_TRUE(torch::allclose(item.value().grad(), other.grad(), 1e-4, tolerance))
          << item.key() << " gradient differs by "
          << (item.value().grad() - other.grad()).abs().max().item<double>();
    }
  }
  const auto ba = a.named_buffers(), bb = b.named_buffers();
  for (const auto& item : ba) {
    EXPECT_TRUE(torch::allclose(item.value().to(torch::kDouble), bb[item.key()].to(torch::kDouble),
                                1e-5, tolerance))
        << item.key();
  }
}

// advbn_step on `step` against Algorithm 1 written out on `reference` (same weights and batch).
StepResult expect_step_equals_written_out(FineTuning& step, FineTuning& reference, double gamma) {
  const auto advbn = attack_options();
  const auto result = advbn_step(*step.network, advbn, gamma, *step.optimizer, step.images, step.labels);
  EXPECT_TRUE(result.updated);
  const auto loss = reference_advbn_loss(*reference.network, advbn, gamma, reference.images, reference.labels);
  reference.optimizer->zero_grad();
  loss.backward();
  EXPECT_NEAR(result.loss, loss.item<double>(), 1e-5);
  EXPECT_NEAR(result.loss, result.clean_loss + gamma * result.adv_loss, 1e-5);
  expect_same_state(*step.network, *reference.network, 1e-6);
  EXPECT_TRUE(step.network->is_training());
  return result;
}

TEST(TrainingStep, AdvBNStepMatchesAlgorithmOneWrittenOut) {
  FineTuning step, reference;
  const double gamma = 0.7;
  const auto result = expect_step_equals_written_out(step, reference, gamma);

  // The same algorithm attacking through the main BNs ends elsewhere: the match above is one
  // the step could fail.
  FineTuning wrong;
  const auto wrong_loss = reference_advbn_loss(*wrong.network, attack_options(), gamma, wrong.images, wrong.labels,
                                               BNBranch::Clean);
  EXPECT_GT(std::abs(wrong_loss.item<double>() - result.loss), 1e-3);
}

TEST(TrainingStep, AdvBNStepOnTheShippedAllocatorMatchesTheWrittenOutStep) {
  install_cpu_block_cache();
  const auto before = cpu_block_cache().stats();
  // Activations of several MiB, served by the cache; at this width and size a channels-last
  // step would also hit LibTorch 1.13's heap corruption (see frozen_features).
  FineTuning step(16, 96), reference(16, 96);
  expect_step_equals_written_out(step, reference, 1.0);
  const auto after = cpu_block_cache().stats();
  EXPECT_GT(after.hits + after.misses, before.hits + before.misses + 10);
}

TEST(TrainingStep, AFailedAttackLeavesTheNetworkInTrainingMode) {
  FineTuning s;
  s.labels[0] = 99;  // outside the 5 classes: the attack's cross-entropy throws
  EXPECT_ANY_THROW(advbn_step(*s.network, attack_options(), 1.0, *s.optimizer, s.images, s.labels));
  EXPECT_TRUE(s.network->is_training());
}

TEST(TrainingStep, StandardStepMatchesPlainFineTuning) {
  FineTuning step, reference;
  const auto result = standard_step(*step.network, *step.optimizer, step.images, step.labels);
  ASSERT_TRUE(result.updated);
  EXPECT_FALSE(result.adv_logits.defined());

  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = reference.network->prefix(reference.images);
  }
  const auto loss = F::cross_entropy(reference.network->suffix(features), reference.labels);
  reference.optimizer->zero_grad();
  loss.backward();
  EXPECT_NEAR(result.loss, loss.item<double>(), 1e-5);
  expect_same_state(*step.network, *reference.network, 1e-6);
}

TEST(TrainingStep, NonFiniteLossLeavesTheWeightsAlone) {
  FineTuning s;
  s.optimizer = std::make_unique<torch::optim::SGD>(s.network->suffix_parameters(),
                                                    torch::optim::SGDOptions(0.1));
  std::vector<torch::Tensor> before;
  for (const auto& p : s.network->parameters()) before.push_back(p.detach().clone());
  s.images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  const auto result = standard_step(*s.network, *s.optimizer, s.images, s.labels);
  EXPECT_FALSE(result.updated);
  EXPECT_FALSE(std::isfinite(result.loss));
  const auto after = s.network->parameters();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(torch::equal(before[i], after[i])) << i;
}

}  // namespace
}  // namespace advbn
