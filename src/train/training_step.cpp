#include "advbn/train/training_step.h"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "advbn/core/phase_times.h"
#include "advbn/core/pixel_attack.h"
#include "advbn/eval/prediction_loss.h"

namespace advbn {

namespace {


// Channels-last images make every later activation channels-last (convolutions, BN and
// element-wise operators keep the layout), which oneDNN's CPU convolutions run without reordering
// each input: 15–22% off a fine-tuning step and 5–9% off an AdvBN step on ResNet-50
// (docs/performance.md). The weights keep their layout, so checkpoints are unchanged. Only
// measured on CPU, hence only applied there. Not below a quarter of the standard width either:
// LibTorch 1.13's CPU backward of a 1×1 stride-2 convolution with fewer than 16 input channels
// in channels-last layout corrupts the heap from 48×48 inputs on (ResNet-18 at width 0.125 cut
// after layer1; reproduced in PyTorch 1.13 alone), while the contiguous layout is sound.
constexpr double kChannelsLastMinWidth = 0.25;

torch::Tensor frozen_features(StagedNetworkImpl& network, const torch::Tensor& images) {
  const TimedPhase phase("prefix");
  torch::NoGradGuard no_grad;
  const bool channels_last =
      images.device().is_cpu() && images.dim() == 4 && network.spec().width >= kChannelsLastMinWidth;
  // Under bf16 autocast the prefix yields bf16 features; AdvBN's statistics stay in the images'
  // precision.
  return network.prefix(channels_last ? images.contiguous(torch::MemoryFormat::ChannelsLast) : images)
      .to(images.scalar_type());
}

// Marks the parameters as needing no gradient while in scope. The attack differentiates with
// respect to δ alone; with the parameters so marked autograd saves nothing for their gradients
// (eval-mode BNs then keep only their scales instead of their inputs, see dual_batch_norm.cpp).
class GradientsOffDuringScope {
 public:
  explicit GradientsOffDuringScope(std::vector<torch::Tensor> parameters)
      : parameters_(std::move(parameters)) {
    for (auto& p : parameters_) {
      required_.push_back(p.requires_grad());
      p.requires_grad_(false);
    }
  }
  ~GradientsOffDuringScope() {
    for (size_t i = 0; i < parameters_.size(); ++i) parameters_[i].requires_grad_(required_[i]);
  }
  GradientsOffDuringScope(const GradientsOffDuringScope&) = delete;
  GradientsOffDuringScope& operator=(const GradientsOffDuringScope&) = delete;

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<bool> required_;
};

// Eval mode for the attack's passes (BNs use their running statistics, as in the authors' code),
// and back to training mode afterwards — also when the attack throws, so that a caller that
// catches the error does not go on training with frozen BN statistics.
class EvalModeDuringScope {
 public:
  explicit EvalModeDuringScope(StagedNetworkImpl& network) : network_(network) { network_.eval(); }
  ~EvalModeDuringScope() { network_.train(); }
  EvalModeDuringScope(const EvalModeDuringScope&) = delete;
  EvalModeDuringScope& operator=(const EvalModeDuringScope&) = delete;

 private:
  StagedNetworkImpl& network_;
};

bool finite(double loss, GradientReducer* reducer) {
  return reducer ? reducer->all_finite(loss) : std::isfinite(loss);
}

// The backward pass that completes the step's gradients, combined across processes by `reducer`.
void final_backward(const torch::Tensor& loss, GradientReducer* reducer) {
  if (reducer) reducer->before_final_backward();
  loss.backward();
  if (reducer) reducer->after_final_backward();
}

// Fine-tunes the suffix on `features` through the main BNs: the standard step, on the features
// as they are or as a peer method perturbed them.
StepResult update_on_features(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer,
                              const torch::Tensor& features, const torch::Tensor& labels, GradientReducer* reducer) {
  TimedPhase clean_pass("clean pass");
  const auto logits = network.suffix(features, BNBranch::Clean);
  const auto loss = prediction_loss(logits, labels);
  StepResult result;
  result.loss = result.clean_loss = loss.item<double>();
  result.clean_logits = logits.detach();
  result.updated = finite(result.loss, reducer);
  if (!result.updated) return result;
  optimizer.zero_grad();
  final_backward(loss, reducer);
  clean_pass.end();
  const TimedPhase update("optimizer");
  optimizer.step();
  return result;
}

// The update every method with an adversarial half shares: the suffix, in train mode, minimises
// clean + γ·adversarial cross-entropy. Each BN normalises the clean batch with its main branch and
// the adversarial batch with its twin, so the two halves are independent and their gradients add
// up. Two passes, each backpropagated before the next starts, hold half the activations of one
// pass over [clean; adversarial] and measured no slower on CPU (docs/performance.md).
StepResult update_on_both_branches(StagedNetworkImpl& network, double gamma, torch::optim::Optimizer& optimizer,
                                   const torch::Tensor& features, const torch::Tensor& adversarial_features,
                                   const torch::Tensor& labels, GradientReducer* reducer) {
  TimedPhase clean_pass("clean pass");
  const auto clean_logits = network.suffix(features, BNBranch::Clean);
  const auto clean_loss = prediction_loss(clean_logits, labels);
  StepResult result;
  result.clean_loss = clean_loss.item<double>();
  result.clean_logits = clean_logits.detach();
  optimizer.zero_grad();
  if (finite(result.clean_loss, reducer)) clean_loss.backward();
  clean_pass.end();
  TimedPhase adversarial_pass("adversarial pass");
  const auto adv_logits = network.suffix(adversarial_features, BNBranch::Adv);
  const auto adv_loss = prediction_loss(adv_logits, labels);
  result.adv_loss = adv_loss.item<double>();
  result.adv_logits = adv_logits.detach();
  result.loss = result.clean_loss + gamma * result.adv_loss;
  result.updated = finite(result.loss, reducer);
  if (!result.updated) return result;
  final_backward(gamma * adv_loss, reducer);
  adversarial_pass.end();
  const TimedPhase update("optimizer");
  optimizer.step();
  return result;
}

}  // namespace

StepResult standard_step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer,
                         const torch::Tensor& images, const torch::Tensor& labels,
                         GradientReducer* reducer) {
  return update_on_features(network, optimizer, frozen_features(network, images), labels, reducer);
}

StepResult feature_attack_step(StagedNetworkImpl& network, const FeatureAttack& attack, double gamma,
                               torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                               const torch::Tensor& labels, GradientReducer* reducer) {
  const auto features = frozen_features(network, images);
  const auto adversarial = [&] {
    const EvalModeDuringScope eval_mode(network);
    const GradientsOffDuringScope gradients_off(network.suffix_parameters());
    return attack(features, [&](const torch::Tensor& f) {
      return prediction_loss(network.suffix(f, BNBranch::Adv), labels);
    });
  }();
  return update_on_both_branches(network, gamma, optimizer, features, adversarial, labels, reducer);
}

AdvBNResult attack_at_cut(StagedNetworkImpl& network, AdvBNOptions options, const torch::Tensor& images,
                          const torch::Tensor& labels, bool evaluate_final_loss) {
  options.relu_clamp = options.relu_clamp && network.cut_is_post_relu();
  const AdvBatchNorm advbn(options);
  const auto features = frozen_features(network, images);
  const EvalModeDuringScope eval_mode(network);
  const GradientsOffDuringScope gradients_off(network.suffix_parameters());
  return advbn.attack(
      features,
      [&](const torch::Tensor& f) { return prediction_loss(network.suffix(f, BNBranch::Adv), labels); },
      evaluate_final_loss);
}

StepResult advbn_step(StagedNetworkImpl& network, const AdvBatchNorm& advbn, double gamma,
                      torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                      const torch::Tensor& labels, GradientReducer* reducer) {
  const FeatureAttack attack = [&](const torch::Tensor& features, const FeatureLoss& loss) {
    return advbn.attack(features, loss, /*evaluate_final_loss=*/false).features;
  };
  return feature_attack_step(network, attack, gamma, optimizer, images, labels, reducer);
}

StepResult perturbed_features_step(StagedNetworkImpl& network, const FeaturePerturbation& perturbation,
                                   at::Generator& generator, torch::optim::Optimizer& optimizer,
                                   const torch::Tensor& images, const torch::Tensor& labels,
                                   GradientReducer* reducer) {
  return update_on_features(network, optimizer, perturbation.apply(frozen_features(network, images), generator),
                            labels, reducer);
}

StepResult advprop_step(StagedNetworkImpl& network, const PixelAttackOptions& attack,
                        const data::Normalization& normalization, double gamma, torch::optim::Optimizer& optimizer,
                        const torch::Tensor& images, const torch::Tensor& labels, GradientReducer* reducer) {
  const auto adversarial_images = [&] {
    const EvalModeDuringScope eval_mode(network);
    const GradientsOffDuringScope gradients_off(network.suffix_parameters());
    return pixel_attack(
        images,
        [&](const torch::Tensor& x) {
          return prediction_loss(network.suffix(network.prefix(x), BNBranch::Adv), labels);
        },
        attack, normalization.mean, normalization.std);
  }();
  return update_on_both_branches(network, gamma, optimizer, frozen_features(network, images),
                                 frozen_features(network, adversarial_images), labels, reducer);
}

}  // namespace advbn
