#include "advbn/core/replica_sum.h"

#include <torch/autograd.h>

namespace advbn {

namespace {

class SumOverReplicas : public torch::autograd::Function<SumOverReplicas> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& values,
                               const ReplicaSum* sum) {
    ctx->saved_data["sum"] = reinterpret_cast<int64_t>(sum);
    auto total = values.clone();
    (*sum)(total);
    return total;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto* sum = reinterpret_cast<const ReplicaSum*>(ctx->saved_data["sum"].toInt());
    auto total = grads[0].contiguous().clone();
    (*sum)(total);
    return {total, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor sum_over_replicas(const torch::Tensor& values, const ReplicaSum& sum) {
  if (!sum) return values;
  return SumOverReplicas::apply(values, &sum);
}

}  // namespace advbn
