#pragma once
// One optimisation step of each fine-tuning method. The trainer and the step benchmark both call
// these, so the step that is timed is the step that trains.
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <ATen/core/Generator.h>

#include <functional>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/core/feature_perturbation.h"
#include "advbn/core/pixel_attack.h"
#include "advbn/data/normalization.h"
#include "advbn/models/staged_network.h"
#include "advbn/distributed/gradient_reducer.h"

namespace advbn {

struct StepResult {
  double loss = 0;        // the minimised loss: clean, plus γ·adversarial for AdvBN
  double clean_loss = 0;  // mean cross-entropy of the clean batch
  double adv_loss = 0;    // mean cross-entropy of the adversarial batch (AdvBN only)
  torch::Tensor clean_logits;  // detached
  torch::Tensor adv_logits;    // detached; undefined for the standard step
  // False when the loss was not finite: the parameters were left as they were (BN statistics
  // have seen the batch) and the caller decides what to do.
  bool updated = false;
};

// Fine-tunes the suffix on clean features. Expects the network in train mode with its prefix
// frozen (StagedNetworkImpl::freeze_prefix), and an optimizer over the suffix's parameters.
// With a `reducer`, gradients are combined across the processes of a data-parallel job before
// the update.
StepResult standard_step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer,
                         const torch::Tensor& images, const torch::Tensor& labels,
                         GradientReducer* reducer = nullptr);

// Finds adversarial features for a batch of (detached) features by maximising `loss`, the
// suffix's cross-entropy on the adversarial BNs in eval mode.
using FeatureAttack = std::function<torch::Tensor(const torch::Tensor& features, const FeatureLoss& loss)>;

// The adversarial step for any attack on the features at the cut: `attack` runs with the suffix in
// eval mode on the adversarial BNs and without parameter gradients; then the suffix, in train
// mode, minimises clean + γ·adversarial cross-entropy, the clean batch on the main BNs and the
// adversarial batch on the twins.
StepResult feature_attack_step(StagedNetworkImpl& network, const FeatureAttack& attack, double gamma,
                               torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                               const torch::Tensor& labels, GradientReducer* reducer = nullptr);

// AdvBN's attack on one batch at the network's cut, as the training step runs it: the frozen
// prefix's features of `images`, then PGD with the suffix in eval mode on the adversarial BNs and
// without parameter gradients. ReLU clamping applies only where the cut follows a ReLU. The
// network is in training mode afterwards, as the step leaves it.
AdvBNResult attack_at_cut(StagedNetworkImpl& network, AdvBNOptions options, const torch::Tensor& images,
                          const torch::Tensor& labels, bool evaluate_final_loss = true);

// Algorithm 1: the attack perturbs the statistics of the prefix features with the suffix in eval
// mode on the adversarial BNs (as in the authors' code); then the suffix, in train mode, minimises
// clean + γ·adversarial cross-entropy, the clean batch on the main BNs and the adversarial batch
// on the twins.
// Same expectations as standard_step; the network is back in train mode afterwards.
StepResult advbn_step(StagedNetworkImpl& network, const AdvBatchNorm& advbn, double gamma,
                      torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                      const torch::Tensor& labels, GradientReducer* reducer = nullptr);

// A peer method (MixStyle, DSU, pAdaIN, CrossNorm): the standard step on features that
// `perturbation` changed at the cut, its random draws taken from `generator`.
StepResult perturbed_features_step(StagedNetworkImpl& network, const FeaturePerturbation& perturbation,
                                   at::Generator& generator, torch::optim::Optimizer& optimizer,
                                   const torch::Tensor& images, const torch::Tensor& labels,
                                   GradientReducer* reducer = nullptr);

// AdvProp: PGD on the pixels through the whole network (the frozen prefix, then the suffix in eval
// mode on the adversarial BNs), then the same update as Algorithm 1 with the features of the
// attacked images as the adversarial half. `normalization`: what the images carry.
StepResult advprop_step(StagedNetworkImpl& network, const PixelAttackOptions& attack,
                        const data::Normalization& normalization, double gamma, torch::optim::Optimizer& optimizer,
                        const torch::Tensor& images, const torch::Tensor& labels, GradientReducer* reducer = nullptr);

}  // namespace advbn
