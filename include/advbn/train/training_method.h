#pragma once
// A fine-tuning method as the trainer sees it: one step on a batch. Standard fine-tuning, AdvBN
// (with its cheaper variants) and the peers plug in here, so that every comparison shares the
// trainer, the data order, the augmentation and the evaluation, and the trainer never knows which
// method it runs.
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>

#include "advbn/core/replica_sum.h"
#include "advbn/models/staged_network.h"
#include "advbn/distributed/gradient_reducer.h"
#include "advbn/train/train_config.h"
#include "advbn/train/training_step.h"

namespace advbn {

class TrainingMethod {
 public:
  virtual ~TrainingMethod() = default;
  // One optimisation step (see training_step.h for what each method's step does). `step_seed`
  // seeds the method's own random draws; the trainer gives every step of a run its own.
  virtual StepResult step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                          const torch::Tensor& labels, uint64_t step_seed, GradientReducer* reducer) = 0;
  // Whether steps train an adversarial half (and report its loss and accuracy).
  virtual bool has_adversarial_half() const = 0;
};

// The method `config` names, with its options. `network` is the network to be trained (its cut
// decides whether AdvBN may clamp at 0); `normalization` is what the images carry (AdvProp bounds
// its attack in pixels); `replicas` sums AdvBN's statistics over a data-parallel job when
// config.sync_adv_stats is set. Training from scratch is the standard step on the whole network.
// Throws advbn::Error for invalid options.
std::unique_ptr<TrainingMethod> make_training_method(const TrainConfig& config, const StagedNetworkImpl& network,
                                                     const data::Normalization& normalization,
                                                     const ReplicaSum& replicas = {});

}  // namespace advbn
