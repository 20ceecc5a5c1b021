#pragma once
// Running metrics over batches, kept outside the trainer so every command counts the same way.
#include <torch/types.h>

#include <cstdint>

namespace advbn {

class ClassificationMeter {
 public:
  // `logits` N×K, `labels` N; `loss_sum` is the summed (not averaged) loss of the batch.
  void add(const torch::Tensor& logits, const torch::Tensor& labels, double loss_sum);

  int64_t count() const { return count_; }
  double top1() const;  // %
  double top5() const;  // %
  double mean_loss() const;

 private:
  int64_t count_ = 0;
  int64_t correct1_ = 0;
  int64_t correct5_ = 0;
  double loss_sum_ = 0;
};

}  // namespace advbn
