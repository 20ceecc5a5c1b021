#pragma once
// Running metrics over batches, kept outside the trainer so every command counts the same way.
#include <torch/types.h>

#include <cstdint>

#include "advbn/core/replica_sum.h"

namespace advbn {

class ClassificationMeter {
 public:
  // `logits` N×K, `labels` N; `loss_sum` is the summed (not averaged) loss of the batch. For
  // segmentation, `logits` N×K×h×w and `labels` N×H×W label maps: every labelled pixel is a
  // prediction (top-1 is pixel accuracy), and `loss_sum` is summed over images
  // (summed_prediction_loss).
  void add(const torch::Tensor& logits, const torch::Tensor& labels, double loss_sum);

  int64_t count() const { return count_; }  // predictions scored: images, or labelled pixels
  int64_t samples() const { return samples_; }  // images
  double top1() const;  // %
  double top5() const;  // %
  double mean_loss() const;  // per image

  // Replaces the counts by their sums over the replicas of a data-parallel job, so every
  // replica reports the metrics of the whole job. The sum runs on `device`, the device the job's
  // collectives work on (the model's: NCCL reduces only GPU tensors). Nothing happens with an
  // empty `sum`.
  void merge_replicas(const ReplicaSum& sum, torch::Device device);

 private:
  int64_t count_ = 0;
  int64_t correct1_ = 0;
  int64_t correct5_ = 0;
  int64_t samples_ = 0;
  double loss_sum_ = 0;
};

}  // namespace advbn
