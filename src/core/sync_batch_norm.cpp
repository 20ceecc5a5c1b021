#include "advbn/core/sync_batch_norm.h"

#include <torch/torch.h>

#include "advbn/core/feature_stats.h"
#include "advbn/error.h"

namespace advbn {

torch::Tensor sync_batch_norm(const torch::Tensor& x, const BatchNormState& bn, const ReplicaSum& sum) {
  if (x.dim() != 4) throw Error("sync_batch_norm: expected N×C×H×W input, got " + std::to_string(x.dim()) + " dimensions");
  const std::vector<int64_t> reduce_dims{0, 2, 3};
  const int64_t channels = x.size(1);
  // One all-reduce carries the per-channel sums and the element count; a second, the squared
  // deviations from the global mean (two passes: no cancellation as in E[x²] − E[x]²).
  const auto count = torch::full({1}, static_cast<double>(x.numel() / channels), x.options());
  const auto sums = sum_over_replicas(torch::cat({x.sum(reduce_dims), count}), sum);
  const auto total = sums.narrow(0, channels, 1);
  const auto mean = sums.narrow(0, 0, channels) / total;
  const auto centered = x - as_channel_tensor(mean);
  const auto variance = sum_over_replicas(centered.square().sum(reduce_dims), sum) / total;
  {
    torch::NoGradGuard no_grad;
    const double n = total.item<double>();
    if (n < 2) throw Error("sync_batch_norm: need more than one value per channel over all replicas");
    bn.running_mean.mul_(1 - bn.momentum).add_(mean.detach(), bn.momentum);
    bn.running_var.mul_(1 - bn.momentum).add_(variance.detach() * (n / (n - 1)), bn.momentum);
  }
  return centered * as_channel_tensor((variance + bn.eps).rsqrt() * bn.weight) + as_channel_tensor(bn.bias);
}

}  // namespace advbn
