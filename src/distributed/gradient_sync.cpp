#include "advbn/distributed/gradient_sync.h"

#include <torch/torch.h>

#include <cmath>

#include "advbn/error.h"

namespace advbn::distributed {

GradientSync::GradientSync(std::vector<torch::Tensor> parameters, ProcessGroup& group,
                           int64_t bucket_bytes)
    : parameters_(std::move(parameters)),
      device_(parameters_.empty() ? torch::Device(torch::kCPU) : parameters_.front().device()),
      group_(group),
      slots_(parameters_.size()) {
  if (bucket_bytes <= 0) throw Error("gradient bucket size must be positive");
  // Reverse order of registration; a bucket holds one dtype and lives on its gradients' device.
  int64_t bucket_used = 0;
  std::vector<std::pair<int64_t, torch::TensorOptions>> sizes;
  for (size_t k = parameters_.size(); k-- > 0;) {
    const auto& p = parameters_[k];
    const int64_t bytes = p.numel() * static_cast<int64_t>(p.element_size());
    const bool fits = !sizes.empty() && bucket_used + bytes <= bucket_bytes &&
                      sizes.back().second.dtype() == p.dtype() && sizes.back().second.device() == p.device();
    if (!fits) {
      sizes.emplace_back(0, p.options());
      bucket_used = 0;
    }
    slots_[k] = {sizes.size() - 1, sizes.back().first, false};
    sizes.back().first += p.numel();
    bucket_used += bytes;
  }
  buckets_.resize(sizes.size());
  for (size_t b = 0; b < sizes.size(); ++b) {
    buckets_[b].flat = torch::zeros({sizes[b].first}, sizes[b].second.requires_grad(false));
  }
  for (const auto& slot : slots_) ++buckets_[slot.bucket].members;
  for (size_t k = 0; k < parameters_.size(); ++k) {
    hooks_.push_back(parameters_[k].register_hook([this, k](const torch::Tensor& grad) { on_gradient(k, grad); }));
  }
}

GradientSync::~GradientSync() {
  for (size_t k = 0; k < hooks_.size(); ++k) parameters_[k].remove_hook(hooks_[k]);
}

bool GradientSync::all_finite(double loss) {
  auto failures = torch::full({1}, std::isfinite(loss) ? 0.0 : 1.0,
                              torch::TensorOptions(device_).dtype(torch::kFloat64));
  group_.all_reduce_sum(failures);
  return failures.item<double>() == 0;
}

void GradientSync::before_final_backward() {
  std::lock_guard<std::mutex> lock(mutex_);
  armed_ = true;
  next_bucket_ = 0;
  for (auto& slot : slots_) slot.ready = false;
  for (auto& bucket : buckets_) {
    bucket.ready = 0;
    bucket.pending.reset();
  }
}

void GradientSync::fill_slot(size_t index, const torch::Tensor& total) {
  Slot& slot = slots_[index];
  Bucket& bucket = buckets_[slot.bucket];
  torch::NoGradGuard no_grad;
  const int64_t n = parameters_[index].numel();
  if (total.defined()) {
    bucket.flat.narrow(0, slot.offset, n).view(parameters_[index].sizes()).copy_(total);
  } else {
    bucket.flat.narrow(0, slot.offset, n).zero_();
  }
  slot.ready = true;
  ++bucket.ready;
}

void GradientSync::on_gradient(size_t index, const torch::Tensor& grad) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!armed_ || slots_[index].ready) return;
  // The hook sees this pass's gradient before it is added to what earlier passes left in .grad.
  const auto& accumulated = parameters_[index].grad();
  fill_slot(index, accumulated.defined() ? accumulated + grad : grad);
  start_ready_buckets();
}

void GradientSync::start_ready_buckets() {
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].ready == buckets_[next_bucket_].members) {
    Bucket& bucket = buckets_[next_bucket_++];
    bucket.pending = group_.all_reduce_sum_async(bucket.flat);
  }
}

void GradientSync::after_final_backward() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!armed_) throw Error("GradientSync: after_final_backward without before_final_backward");
    armed_ = false;
    // Parameters this pass did not reach keep what earlier passes accumulated (or nothing).
    for (size_t k = 0; k < slots_.size(); ++k) {
      if (!slots_[k].ready) fill_slot(k, parameters_[k].grad());
    }
    start_ready_buckets();
  }
  for (auto& bucket : buckets_) {
    bucket.pending->wait();
    bucket.pending.reset();
    bucket.flat.div_(group_.world_size());
  }
  torch::NoGradGuard no_grad;
  for (size_t k = 0; k < parameters_.size(); ++k) {
    auto& p = parameters_[k];
    if (!p.grad().defined()) continue;  // no rank's loss reached it
    const Slot& slot = slots_[k];
    p.mutable_grad().copy_(buckets_[slot.bucket].flat.narrow(0, slot.offset, p.numel()).view(p.sizes()));
  }
}

}  // namespace advbn::distributed
