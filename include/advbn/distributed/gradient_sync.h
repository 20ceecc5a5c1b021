#pragma once
// Data-parallel gradient averaging: parameters are grouped into buckets (in reverse order of
// registration, roughly the order in which backpropagation finishes them); a bucket's all-reduce
// starts as soon as the backward pass has produced all of its gradients, so communication
// overlaps the rest of the backward pass, as PyTorch's DistributedDataParallel does.
#include <torch/types.h>

#include <memory>
#include <mutex>
#include <vector>

#include "advbn/distributed/process_group.h"
#include "advbn/distributed/gradient_reducer.h"

namespace advbn::distributed {

class GradientSync final : public GradientReducer {
 public:
  // `bucket_bytes`: the most bytes of gradients one all-reduce carries.
  GradientSync(std::vector<torch::Tensor> parameters, ProcessGroup& group,
               int64_t bucket_bytes = int64_t{25} << 20);
  ~GradientSync() override;
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  bool all_finite(double loss) override;
  // Call before the backward pass that completes the step's gradients (earlier passes of the
  // same step may have accumulated into .grad already).
  void before_final_backward() override;
  // After it: all-reduces the buckets still waiting, waits for all, and replaces every gradient
  // by its mean over the ranks. Throws advbn::Error when a peer failed.
  void after_final_backward() override;

  size_t bucket_count() const { return buckets_.size(); }

 private:
  struct Slot {
    size_t bucket = 0;
    int64_t offset = 0;
    bool ready = false;
  };
  struct Bucket {
    torch::Tensor flat;
    size_t members = 0;
    size_t ready = 0;
    std::unique_ptr<PendingCollective> pending;
  };

  void on_gradient(size_t index, const torch::Tensor& grad);
  void fill_slot(size_t index, const torch::Tensor& total);
  void start_ready_buckets();

  std::vector<torch::Tensor> parameters_;
  torch::Device device_;  // the parameters': NCCL reduces only tensors on the rank's GPU
  ProcessGroup& group_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  std::vector<unsigned> hooks_;
  std::mutex mutex_;  // hooks run on the autograd engine's threads
  bool armed_ = false;
  size_t next_bucket_ = 0;  // buckets start in index order, the same on every rank
};

}  // namespace advbn::distributed
