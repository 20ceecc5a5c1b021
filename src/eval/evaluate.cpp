#include "advbn/eval/evaluate.h"

#include <torch/torch.h>

#include "advbn/report/progress.h"

namespace advbn {

EvalResult evaluate(StagedNetworkImpl& network, data::Loader& loader, BNBranch branch,
                    torch::Device device, ProgressReporter* progress, const ReplicaSum& replicas) {
  torch::NoGradGuard no_grad;
  const bool was_training = network.is_training();
  network.eval();
  ClassificationMeter meter;
  const auto dtype = network.parameters().front().scalar_type();
  loader.start_epoch(0);
  if (progress) progress->begin("eval", static_cast<int64_t>(loader.batches_per_epoch()), 0);
  int64_t done = 0;
  while (auto batch = loader.next()) {
    const auto labels = batch->labels.to(device);
    const auto logits = network.forward(batch->images.to(device, dtype), branch);
    const double loss_sum =
        torch::nn::functional::cross_entropy(
            logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    meter.add(logits, labels, loss_sum);
    if (progress) progress->step(++done, {meter.mean_loss(), meter.top1(), -1});
  }
  network.train(was_training);
  meter.merge_replicas(replicas, device);
  return {meter.top1(), meter.top5(), meter.mean_loss(), meter.count()};
}

}  // namespace advbn
