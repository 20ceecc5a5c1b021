#include "advbn/core/dual_batch_norm.h"

#include <torch/torch.h>

#include "advbn/core/feature_stats.h"
#include "advbn/core/sync_batch_norm.h"
#include "advbn/error.h"

namespace advbn {

namespace {

struct BatchNormState {
  const torch::Tensor &weight, &bias, &running_mean, &running_var;
};

// In eval mode BN is the per-channel affine map x·s + t (ATen's eval batch_norm computes the
// same s and t). Written as such, autograd keeps only s for the input gradient when the
// parameters need none (the frozen prefix, and the suffix during the attack, see advbn_step),
// where batch_norm keeps its whole input.
std::optional<ChannelAffine> frozen_affine(const torch::Tensor& x, const BatchNormState& bn, double eps) {
  const bool parameters_need_gradients =
      torch::GradMode::is_enabled() && (bn.weight.requires_grad() || bn.bias.requires_grad());
  if (parameters_need_gradients || x.dim() != 4 || x.scalar_type() != bn.weight.scalar_type()) {
    return std::nullopt;
  }
  torch::NoGradGuard no_grad;
  const auto scale = bn.weight * (bn.running_var + eps).rsqrt();
  return ChannelAffine{scale, bn.bias - bn.running_mean * scale};
}

torch::Tensor eval_batch_norm(const torch::Tensor& x, const BatchNormState& bn, double eps) {
  if (const auto affine = frozen_affine(x, bn, eps)) {
    return torch::addcmul(as_channel_tensor(affine->shift), x, as_channel_tensor(affine->scale));
  }
  return torch::batch_norm(x, bn.weight, bn.bias, bn.running_mean, bn.running_var,
                           /*training=*/false, /*momentum=*/0.0, eps,
                           at::globalContext().userEnabledCuDNN());
}

}  // namespace

BNBranch parse_bn_branch(const std::string& name) {
  if (name == "clean") return BNBranch::Clean;
  if (name == "adv") return BNBranch::Adv;
  throw Error("unknown BN branch '" + name + "' (expected clean or adv)");
}

DualBatchNorm2dImpl::DualBatchNorm2dImpl(int64_t channels, double momentum, double eps)
    : momentum_(momentum), eps_(eps) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
  running_mean = register_buffer("running_mean", torch::zeros({channels}));
  running_var = register_buffer("running_var", torch::ones({channels}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kLong));
  twin = register_module(
      "twin", torch::nn::BatchNorm2d(
                  torch::nn::BatchNorm2dOptions(channels).momentum(momentum).eps(eps)));
}

std::optional<ChannelAffine> DualBatchNorm2dImpl::frozen_affine_map(const torch::Tensor& x,
                                                                    BNBranch branch) const {
  if (is_training()) return std::nullopt;
  if (branch == BNBranch::Clean) return frozen_affine(x, {weight, bias, running_mean, running_var}, eps_);
  return frozen_affine(x, {twin->weight, twin->bias, twin->running_mean, twin->running_var}, eps_);
}

torch::Tensor DualBatchNorm2dImpl::forward_main(const torch::Tensor& x) {
  if (is_training()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked += 1;
  }
  if (!is_training()) return eval_batch_norm(x, {weight, bias, running_mean, running_var}, eps_);
  if (replica_sum_) {
    return sync_batch_norm(x, {weight, bias, running_mean, running_var, momentum_, eps_}, replica_sum_);
  }
  return torch::batch_norm(x, weight, bias, running_mean, running_var, /*training=*/true, momentum_,
                           eps_, at::globalContext().userEnabledCuDNN());
}

torch::Tensor DualBatchNorm2dImpl::forward_twin(const torch::Tensor& x) {
  if (!is_training()) {
    return eval_batch_norm(x, {twin->weight, twin->bias, twin->running_mean, twin->running_var}, eps_);
  }
  if (!replica_sum_) return twin->forward(x);
  {
    torch::NoGradGuard no_grad;
    twin->num_batches_tracked += 1;
  }
  return sync_batch_norm(x, {twin->weight, twin->bias, twin->running_mean, twin->running_var, momentum_, eps_},
                         replica_sum_);
}

torch::Tensor DualBatchNorm2dImpl::forward(const torch::Tensor& x, BNBranch branch) {
  switch (branch) {
    case BNBranch::Clean:
      return forward_main(x);
    case BNBranch::Adv:
      return forward_twin(x);
  }
  throw Error("DualBatchNorm2d: invalid branch");
}

void DualBatchNorm2dImpl::copy_main_to_twin() {
  torch::NoGradGuard no_grad;
  twin->weight.copy_(weight);
  twin->bias.copy_(bias);
  twin->running_mean.copy_(running_mean);
  twin->running_var.copy_(running_var);
  twin->num_batches_tracked.copy_(num_batches_tracked);
}

}  // namespace advbn
