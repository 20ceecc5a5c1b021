#pragma once
// Semantic-segmentation scores from one confusion matrix over a whole data set (paper §5.5):
// IoU_c = TP / (TP + FP + FN) per class, mIoU = mean over the classes present, pixel accuracy =
// Σ TP / Σ labelled pixels. Pixels labelled `ignore_label` count nowhere.
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "advbn/core/replica_sum.h"

namespace advbn {

struct SegmentationScores {
  // Per class, in %; NaN for a class neither labelled nor predicted anywhere (TP + FP + FN = 0).
  std::vector<double> iou;
  double mean_iou = 0;        // % over the classes whose IoU is defined
  double pixel_accuracy = 0;  // %
  int64_t pixels = 0;         // labelled pixels counted
};

class ConfusionMatrix {
 public:
  // Throws advbn::Error unless classes >= 1 and the ignore label lies outside [0, classes).
  explicit ConfusionMatrix(int64_t classes, int64_t ignore_label = 255);

  // `predictions` and `labels`: integer class maps of the same shape (N × H × W or H × W).
  // Throws advbn::Error for shapes that differ or a label outside [0, classes) that is not the
  // ignore label (a label table that does not fit the data); predictions must be in range.
  void add(const torch::Tensor& predictions, const torch::Tensor& labels);

  // Replaces the counts by their sums over the replicas of a data-parallel job, the sum running
  // on `device`; nothing happens with an empty `sum`.
  void merge_replicas(const ReplicaSum& sum, torch::Device device);

  // [classes × classes], int64: row = label, column = prediction.
  const torch::Tensor& counts() const { return counts_; }
  SegmentationScores scores() const;

 private:
  int64_t classes_;
  int64_t ignore_label_;
  torch::Tensor counts_;
};

}  // namespace advbn
