#include "advbn/train/training_step.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "advbn/models/network_factory.h"

namespace advbn {
namespace {

namespace F = torch::nn::functional;

// A small fine-tuning set-up: ResNet-18 at 1/8 width cut after layer1, its prefix frozen.
// Built from the same seed, two set-ups hold identical weights.
struct FineTuning {
  StagedNetwork network;
  std::unique_ptr<torch::optim::SGD> optimizer;
  torch::Tensor images, labels;

  FineTuning() {
    torch::manual_seed(7);
    network = create_network({"resnet18", 5, "small", 0.125});
    network->set_cut("layer1");
    network->freeze_prefix();
    network->copy_main_to_twins();
    network->train();
    // lr 0: the step leaves the weights as they were and its gradients in place to compare.
    optimizer = std::make_unique<torch::optim::SGD>(network->suffix_parameters(),
                                                    torch::optim::SGDOptions(0.0));
    images = torch::randn({6, 3, 16, 16});
    labels = torch::randint(0, 5, {6}, torch::kLong);
  }
};

AdvBatchNorm attack_options() {
  AdvBNOptions options;
  options.steps = 3;
  return AdvBatchNorm(options);
}

// Algorithm 1 written out once, directly: the prefix, the attack on the adversarial BNs in eval
// mode, and two separate suffix passes, one per BN branch.
torch::Tensor reference_advbn_loss(StagedNetworkImpl& network, const AdvBatchNorm& advbn,
                                   double gamma, const torch::Tensor& images,
                                   const torch::Tensor& labels) {
  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = network.prefix(images);
  }
  network.eval();
  const auto attack = advbn.attack(features, [&](const torch::Tensor& f) {
    return F::cross_entropy(network.suffix(f, BNBranch::Adv), labels);
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

TEST(TrainingStep, AdvBNStepMatchesAlgorithmOneWrittenOut) {
  FineTuning step, reference;
  const auto advbn = attack_options();
  const double gamma = 0.7;
  const auto result = advbn_step(*step.network, advbn, gamma, *step.optimizer, step.images, step.labels);
  ASSERT_TRUE(result.updated);

  const auto loss = reference_advbn_loss(*reference.network, advbn, gamma, reference.images,
                                         reference.labels);
  reference.optimizer->zero_grad();
  loss.backward();
  EXPECT_NEAR(result.loss, loss.item<double>(), 1e-5);
  EXPECT_NEAR(result.loss, result.clean_loss + gamma * result.adv_loss, 1e-5);
  expect_same_state(*step.network, *reference.network, 1e-6);
  EXPECT_TRUE(step.network->is_training());
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
