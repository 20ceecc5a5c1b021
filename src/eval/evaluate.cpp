#include "advbn/eval/evaluate.h"

#include <torch/torch.h>

#include <functional>

#include "advbn/eval/prediction_loss.h"
#include "advbn/report/progress.h"

namespace advbn {

namespace {

// Runs epoch 0 of `loader` through `network` in eval mode without gradients, handing each batch's
// scores and labels (on `device`) to `score`, which returns the figures the progress line shows.
void for_each_batch(StagedNetworkImpl& network, data::Loader& loader, BNBranch branch, torch::Device device,
                    ProgressReporter* progress,
                    const std::function<StepStats(const torch::Tensor&, const torch::Tensor&)>& score) {
  torch::NoGradGuard no_grad;
  const bool was_training = network.is_training();
  network.eval();
  const auto dtype = network.parameters().front().scalar_type();
  loader.start_epoch(0);
  if (progress) progress->begin("eval", static_cast<int64_t>(loader.batches_per_epoch()), 0);
  int64_t done = 0;
  while (auto batch = loader.next()) {
    const auto labels = batch->labels.to(device);
    const auto figures = score(network.forward(batch->images.to(device, dtype), branch), labels);
    if (progress) progress->step(++done, figures);
  }
  network.train(was_training);
}

}  // namespace

EvalResult evaluate(StagedNetworkImpl& network, data::Loader& loader, BNBranch branch,
                    torch::Device device, ProgressReporter* progress, const ReplicaSum& replicas) {
  ClassificationMeter meter;
  for_each_batch(network, loader, branch, device, progress, [&](const torch::Tensor& logits, const torch::Tensor& labels) {
    meter.add(logits, labels, summed_prediction_loss(logits, labels));
    return StepStats{meter.mean_loss(), meter.top1(), -1};
  });
  meter.merge_replicas(replicas, device);
  return {meter.top1(), meter.top5(), meter.mean_loss(), meter.count()};
}

SegmentationEvalResult evaluate_segmentation(StagedNetworkImpl& network, data::Loader& loader, int64_t classes,
                                             BNBranch branch, torch::Device device, ProgressReporter* progress,
                                             const ReplicaSum& replicas) {
  ClassificationMeter meter;  // the loss and pixel counts
  ConfusionMatrix confusion(classes);
  for_each_batch(network, loader, branch, device, progress, [&](const torch::Tensor& logits, const torch::Tensor& labels) {
    const auto scores = dense_logits(logits, labels);  // upsampled once; the meter and the loss take them as they are
    meter.add(scores, labels, summed_prediction_loss(scores, labels));
    confusion.add(scores.argmax(1), labels);
    return StepStats{meter.mean_loss(), meter.top1(), -1};
  });
  meter.merge_replicas(replicas, device);
  confusion.merge_replicas(replicas, device);
  return {confusion.scores(), meter.mean_loss(), meter.samples()};
}

}  // namespace advbn
