#include "advbn/train/training_step.h"

#include <torch/torch.h>

#include <cmath>

namespace advbn {

namespace {

namespace F = torch::nn::functional;

torch::Tensor frozen_features(StagedNetworkImpl& network, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  return network.prefix(images);
}

// Backpropagates `loss` and updates the parameters unless it is not finite.
bool minimise(torch::optim::Optimizer& optimizer, const torch::Tensor& loss, double value) {
  if (!std::isfinite(value)) return false;
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  return true;
}

}  // namespace

StepResult standard_step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer,
                         const torch::Tensor& images, const torch::Tensor& labels) {
  const auto logits = network.suffix(frozen_features(network, images), BNBranch::Clean);
  const auto loss = F::cross_entropy(logits, labels);
  StepResult result;
  result.loss = result.clean_loss = loss.item<double>();
  result.clean_logits = logits.detach();
  result.updated = minimise(optimizer, loss, result.loss);
  return result;
}

StepResult advbn_step(StagedNetworkImpl& network, const AdvBatchNorm& advbn, double gamma,
                      torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                      const torch::Tensor& labels) {
  const auto features = frozen_features(network, images);
  network.eval();
  const auto attack = advbn.attack(
      features,
      [&](const torch::Tensor& f) { return F::cross_entropy(network.suffix(f, BNBranch::Adv), labels); },
      /*evaluate_final_loss=*/false);
  network.train();
  // One pass over both halves: each BN normalises its half with its own branch, so this equals
  // two passes while every convolution runs once on the whole batch.
  const int64_t n = labels.size(0);
  const auto logits = network.suffix(torch::cat({features, attack.features}), BNBranch::Split);
  const auto clean_logits = logits.narrow(0, 0, n), adv_logits = logits.narrow(0, n, n);
  const auto clean_loss = F::cross_entropy(clean_logits, labels);
  const auto adv_loss = F::cross_entropy(adv_logits, labels);
  const auto loss = clean_loss + gamma * adv_loss;
  StepResult result;
  result.clean_loss = clean_loss.item<double>();
  result.adv_loss = adv_loss.item<double>();
  result.loss = loss.item<double>();
  result.clean_logits = clean_logits.detach();
  result.adv_logits = adv_logits.detach();
  result.updated = minimise(optimizer, loss, result.loss);
  return result;
}

}  // namespace advbn
