#include "advbn/train/training_method.h"

#include <torch/torch.h>

#include <optional>

#include "advbn/error.h"
#include "advbn/train/precision.h"

namespace advbn {

namespace {

class StandardMethod final : public TrainingMethod {
 public:
  StepResult step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                  const torch::Tensor& labels, uint64_t, GradientReducer* reducer) override {
    return standard_step(network, optimizer, images, labels, reducer);
  }
  bool has_adversarial_half() const override { return false; }
};

// Algorithm 1, and its cheaper variants: an attack only every k-th step, the steps between reusing
// the last δ on their own batch's statistics; each attack starting from the last δ. The schedule
// counts the steps of this object, so a resumed run starts it afresh. Optionally the attack's passes
// in bf16 autocast: δ, the statistics and the perturbed features stay float32.
class AdvBNMethod final : public TrainingMethod {
 public:
  AdvBNMethod(const TrainConfig& config, AdvBNOptions options, const ReplicaSum& replicas)
      : advbn_(options, replicas), gamma_(config.gamma), attack_every_(config.attack_every),
        warm_start_(config.warm_start), attack_precision_(config.attack_bf16 ? Precision::BF16 : Precision::FP32) {}

  StepResult step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                  const torch::Tensor& labels, uint64_t, GradientReducer* reducer) override {
    const bool attack_now = !last_ || steps_ % attack_every_ == 0;
    ++steps_;
    const FeatureAttack attack = [&](const torch::Tensor& features, const FeatureLoss& loss) {
      const AutocastScope autocast(attack_precision_, features.device());
      AdvBNResult found = !attack_now ? advbn_.reuse(features, *last_)
                                      : advbn_.attack(features, loss, /*evaluate_final_loss=*/false,
                                                      warm_start_ && last_ ? &*last_ : nullptr);
      const auto adversarial = found.features;
      found.features = torch::Tensor();  // only δ is carried to the next step
      last_ = std::move(found);
      return adversarial;
    };
    return feature_attack_step(network, attack, gamma_, optimizer, images, labels, reducer);
  }
  bool has_adversarial_half() const override { return true; }

 private:
  AdvBatchNorm advbn_;
  double gamma_;
  int attack_every_;
  bool warm_start_;
  Precision attack_precision_;
  int64_t steps_ = 0;
  std::optional<AdvBNResult> last_;
};

class PeerMethod final : public TrainingMethod {
 public:
  explicit PeerMethod(std::unique_ptr<FeaturePerturbation> perturbation) : perturbation_(std::move(perturbation)) {}

  StepResult step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                  const torch::Tensor& labels, uint64_t step_seed, GradientReducer* reducer) override {
    auto generator = seeded_generator(step_seed);
    return perturbed_features_step(network, *perturbation_, generator, optimizer, images, labels, reducer);
  }
  bool has_adversarial_half() const override { return false; }

 private:
  std::unique_ptr<FeaturePerturbation> perturbation_;
};

class AdvPropMethod final : public TrainingMethod {
 public:
  AdvPropMethod(const TrainConfig& config, const data::Normalization& normalization)
      : attack_{config.advprop_eps, config.advprop_step_size, config.advprop_steps},
        normalization_(normalization),
        gamma_(config.gamma) {
    attack_.validate();
  }

  StepResult step(StagedNetworkImpl& network, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                  const torch::Tensor& labels, uint64_t, GradientReducer* reducer) override {
    return advprop_step(network, attack_, normalization_, gamma_, optimizer, images, labels, reducer);
  }
  bool has_adversarial_half() const override { return true; }

 private:
  PixelAttackOptions attack_;
  data::Normalization normalization_;
  double gamma_;
};

}  // namespace

std::unique_ptr<TrainingMethod> make_training_method(const TrainConfig& config, const StagedNetworkImpl& network,
                                                     const data::Normalization& normalization,
                                                     const ReplicaSum& replicas) {
  if (config.from_scratch) return std::make_unique<StandardMethod>();
  switch (config.method) {
    case TrainMethod::Standard:
      return std::make_unique<StandardMethod>();
    case TrainMethod::AdvBN: {
      AdvBNOptions options = config.advbn;
      options.relu_clamp = options.relu_clamp && network.cut_is_post_relu();
      return std::make_unique<AdvBNMethod>(config, options, config.sync_adv_stats ? replicas : ReplicaSum{});
    }
    case TrainMethod::AdvProp:
      return std::make_unique<AdvPropMethod>(config, normalization);
    case TrainMethod::MixStyle:
    case TrainMethod::DSU:
    case TrainMethod::PAdaIN:
    case TrainMethod::CrossNorm: {
      PeerOptions options;
      if (config.peer_p >= 0) options.p = config.peer_p;
      options.alpha = config.mixstyle_alpha;
      return std::make_unique<PeerMethod>(make_feature_perturbation(to_string(config.method), options));
    }
  }
  throw Error("unhandled training method " + to_string(config.method));
}

}  // namespace advbn
