#include "advbn/core/dual_batch_norm.h"

#include <torch/torch.h>

#include "advbn/core/sync_batch_norm.h"
#include "advbn/error.h"

namespace advbn {

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

torch::Tensor DualBatchNorm2dImpl::forward_main(const torch::Tensor& x) {
  if (is_training()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked += 1;
  }
  if (is_training() && replica_sum_) {
    return sync_batch_norm(x, {weight, bias, running_mean, running_var, momentum_, eps_}, replica_sum_);
  }
  return torch::batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum_,
                           eps_, at::globalContext().userEnabledCuDNN());
}

torch::Tensor DualBatchNorm2dImpl::forward_twin(const torch::Tensor& x) {
  if (!is_training() || !replica_sum_) return twin->forward(x);
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
    case BNBranch::Split: {
      const int64_t n = x.size(0);
      if (n % 2 != 0) {
        throw Error("DualBatchNorm2d: a split batch needs an even size, got " + std::to_string(n));
      }
      return torch::cat({forward_main(x.narrow(0, 0, n / 2)), forward_twin(x.narrow(0, n / 2, n / 2))});
    }
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
