#include "advbn/eval/meters.h"

#include <torch/torch.h>

#include <algorithm>

#include "advbn/data/segmentation_labels.h"
#include "advbn/eval/prediction_loss.h"

namespace advbn {

void ClassificationMeter::add(const torch::Tensor& logits, const torch::Tensor& labels,
                              double loss_sum) {
  torch::NoGradGuard no_grad;
  auto scores = dense_logits(logits, labels);
  auto targets = labels;
  if (is_dense(labels)) {
    // Every labelled pixel is a prediction: N × K × H × W → (labelled pixels) × K.
    scores = scores.permute({0, 2, 3, 1}).reshape({-1, scores.size(1)});
    targets = labels.reshape({-1});
    const auto labelled = targets.ne(data::kIgnoreLabel);
    scores = scores.index({labelled});
    targets = targets.index({labelled});
  }
  const int64_t k = std::min<int64_t>(5, scores.size(1));
  const auto top = std::get<1>(scores.topk(k, 1)).to(torch::kCPU);
  const auto hits = top.eq(targets.to(torch::kCPU).view({-1, 1}));
  correct1_ += hits.select(1, 0).sum().item<int64_t>();
  correct5_ += hits.any(1).sum().item<int64_t>();
  count_ += targets.size(0);
  samples_ += labels.size(0);
  loss_sum_ += loss_sum;
}

double ClassificationMeter::top1() const { return count_ ? 100.0 * correct1_ / count_ : 0; }
double ClassificationMeter::top5() const { return count_ ? 100.0 * correct5_ / count_ : 0; }
double ClassificationMeter::mean_loss() const { return samples_ ? loss_sum_ / static_cast<double>(samples_) : 0; }

void ClassificationMeter::merge_replicas(const ReplicaSum& sum, torch::Device device) {
  if (!sum) return;
  // Doubles hold these counts exactly (up to 2^53).
  auto totals = torch::tensor({static_cast<double>(count_), static_cast<double>(correct1_),
                               static_cast<double>(correct5_), loss_sum_, static_cast<double>(samples_)},
                              torch::kFloat64)
                    .to(device);
  sum(totals);
  totals = totals.to(torch::kCPU);
  count_ = static_cast<int64_t>(totals[0].item<double>());
  correct1_ = static_cast<int64_t>(totals[1].item<double>());
  correct5_ = static_cast<int64_t>(totals[2].item<double>());
  loss_sum_ = totals[3].item<double>();
  samples_ = static_cast<int64_t>(totals[4].item<double>());
}

}  // namespace advbn
