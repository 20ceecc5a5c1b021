#include "advbn/eval/segmentation_metrics.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "advbn/error.h"

namespace advbn {

ConfusionMatrix::ConfusionMatrix(int64_t classes, int64_t ignore_label)
    : classes_(classes), ignore_label_(ignore_label) {
  if (classes < 1) throw Error("a confusion matrix needs at least one class, got " + std::to_string(classes));
  if (ignore_label >= 0 && ignore_label < classes) {
    throw Error("the ignore label " + std::to_string(ignore_label) + " is one of the " + std::to_string(classes) +
                " classes");
  }
  counts_ = torch::zeros({classes, classes}, torch::kLong);
}

void ConfusionMatrix::add(const torch::Tensor& predictions, const torch::Tensor& labels) {
  if (predictions.sizes() != labels.sizes()) {
    throw Error("predictions of shape " + c10::str(predictions.sizes()) + " for labels of shape " +
                c10::str(labels.sizes()));
  }
  torch::NoGradGuard no_grad;
  const auto label = labels.to(torch::kCPU, torch::kLong).flatten();
  const auto predicted = predictions.to(torch::kCPU, torch::kLong).flatten();
  const auto labelled = label.ne(ignore_label_);
  const auto kept_labels = label.masked_select(labelled);
  const auto kept_predictions = predicted.masked_select(labelled);
  if (kept_labels.numel() == 0) return;
  if (kept_labels.min().item<int64_t>() < 0 || kept_labels.max().item<int64_t>() >= classes_) {
    throw Error("a label outside the " + std::to_string(classes_) + " classes (and not the ignore label " +
                std::to_string(ignore_label_) + "): " +
                std::to_string(kept_labels.lt(0).any().item<bool>() ? kept_labels.min().item<int64_t>()
                                                                      : kept_labels.max().item<int64_t>()));
  }
  if (kept_predictions.min().item<int64_t>() < 0 || kept_predictions.max().item<int64_t>() >= classes_) {
    throw Error("a prediction outside the " + std::to_string(classes_) + " classes");
  }
  counts_ += torch::bincount(kept_labels * classes_ + kept_predictions, {}, classes_ * classes_)
                 .view({classes_, classes_});
}

void ConfusionMatrix::merge_replicas(const ReplicaSum& sum, torch::Device device) {
  if (!sum) return;
  auto on_device = counts_.to(device);
  sum(on_device);
  counts_ = on_device.to(torch::kCPU);
}

SegmentationScores ConfusionMatrix::scores() const {
  const auto counts = counts_.to(torch::kDouble);
  const auto true_positives = counts.diagonal();
  const auto labelled = counts.sum(1), predicted = counts.sum(0);
  const auto unions = labelled + predicted - true_positives;
  SegmentationScores s;
  s.pixels = counts_.sum().item<int64_t>();
  double iou_sum = 0;
  int64_t defined = 0;
  for (int64_t c = 0; c < classes_; ++c) {
    const double u = unions[c].item<double>();
    if (u == 0) {
      s.iou.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    s.iou.push_back(100.0 * true_positives[c].item<double>() / u);
    iou_sum += s.iou.back();
    ++defined;
  }
  s.mean_iou = defined > 0 ? iou_sum / static_cast<double>(defined) : std::numeric_limits<double>::quiet_NaN();
  s.pixel_accuracy =
      s.pixels > 0 ? 100.0 * true_positives.sum().item<double>() / static_cast<double>(s.pixels)
                   : std::numeric_limits<double>::quiet_NaN();
  return s;
}

}  // namespace advbn
