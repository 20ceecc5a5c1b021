#include "advbn/eval/feature_divergence.h"

#include <torch/torch.h>

#include <algorithm>

#include "advbn/data/loader.h"
#include "advbn/error.h"

namespace advbn {

void ChannelMoments::add(const torch::Tensor& values) {
  if (values.dim() != 2) throw Error("ChannelMoments: expected N × C values, got " + std::to_string(values.dim()) + " dimensions");
  const int64_t n = values.size(0);
  if (n == 0) return;
  const auto batch = values.detach().to(torch::kCPU, torch::kFloat64);
  if (mean_.defined() && batch.size(1) != mean_.size(0)) {
    throw Error("ChannelMoments: " + std::to_string(batch.size(1)) + " channels after " +
                std::to_string(mean_.size(0)));
  }
  const auto batch_mean = batch.mean(0);
  const auto batch_m2 = (batch - batch_mean).pow(2).sum(0);
  if (count_ == 0) {
    mean_ = batch_mean;
    m2_ = batch_m2;
    count_ = n;
    return;
  }
  // Chan et al.: merging two partial (count, mean, M2) summaries is exact, in any batch order.
  const double total = static_cast<double>(count_ + n);
  const auto delta = batch_mean - mean_;
  mean_ = mean_ + delta * (static_cast<double>(n) / total);
  m2_ = m2_ + batch_m2 + delta.pow(2) * (static_cast<double>(count_) * static_cast<double>(n) / total);
  count_ += n;
}

torch::Tensor ChannelMoments::variance() const {
  if (count_ < 2) throw Error("feature divergence needs at least two images per data set, got " + std::to_string(count_));
  return m2_ / static_cast<double>(count_ - 1);
}

torch::Tensor spatial_means(const torch::Tensor& features) {
  if (features.dim() < 2) throw Error("spatial_means: expected N × C × …, got " + std::to_string(features.dim()) + " dimensions");
  const auto as_double = features.detach().to(torch::kFloat64);
  if (features.dim() == 2) return as_double;
  return as_double.flatten(2).mean(2);
}

double symmetric_kl_divergence(const ChannelMoments& a, const ChannelMoments& b) {
  if (a.channels() != b.channels()) {
    throw Error("feature divergence: data set A has " + std::to_string(a.channels()) + " channels, B " +
                std::to_string(b.channels()));
  }
  const auto var_a = a.variance() + kDivergenceVarianceFloor;
  const auto var_b = b.variance() + kDivergenceVarianceFloor;
  const auto mean_gap = (a.mean() - b.mean()).pow(2);
  // KL(A‖B) + KL(B‖A): the two log terms cancel, which also keeps the sum exact for equal fits.
  const auto symmetric = (var_a + mean_gap) / (2 * var_b) + (var_b + mean_gap) / (2 * var_a) - 1.0;
  return symmetric.mean().item<double>();
}

FeatureSource shifted_source(const FeatureSource& clean, const Shift& shift) {
  const std::string label = shift.severity > 0 ? shift.name + " (severity " + std::to_string(shift.severity) + ")" : shift.name;
  return {label, clean.dataset, data::with_image_op(clean.pipeline, shift.apply)};
}

BlockMoments measure_block_moments(const std::vector<ModelUnderTest>& models,
                                   const std::vector<std::string>& blocks, const FeatureSource& source,
                                   size_t batch, torch::Device device,
                                   const std::function<void(int64_t)>& on_batch) {
  if (!source.dataset || source.dataset->size() == 0) {
    throw Error("feature divergence: data set '" + source.name + "' is empty");
  }
  torch::NoGradGuard no_grad;
  for (const auto& m : models) m.network->eval();
  BlockMoments moments(models.size(), std::vector<ChannelMoments>(blocks.size()));
  const int workers = std::max(1, torch::get_num_threads());
  data::Loader loader(source.dataset, source.pipeline, {batch, /*shuffle=*/false, /*drop_last=*/false, workers, 4, 0});
  loader.start_epoch(0);
  int64_t done = 0;
  while (auto b = loader.next()) {
    const auto images = b->images.to(device);
    for (size_t m = 0; m < models.size(); ++m) {
      const auto outputs = models[m].network->block_outputs(images, blocks, models[m].branch);
      for (size_t k = 0; k < blocks.size(); ++k) moments[m][k].add(spatial_means(outputs[k]));
    }
    done += images.size(0);
    if (on_batch) on_batch(done);
  }
  return moments;
}

std::vector<std::vector<double>> block_divergences(const BlockMoments& a, const BlockMoments& b) {
  if (a.size() != b.size()) throw Error("block_divergences: measurements of different model counts");
  std::vector<std::vector<double>> divergence(a.size());
  for (size_t m = 0; m < a.size(); ++m) {
    if (a[m].size() != b[m].size()) throw Error("block_divergences: measurements of different block counts");
    for (size_t k = 0; k < a[m].size(); ++k) divergence[m].push_back(symmetric_kl_divergence(a[m][k], b[m][k]));
  }
  return divergence;
}

std::vector<std::string> default_divergence_blocks(const StagedNetworkImpl& network, const std::string& cut) {
  auto blocks = network.blocks_from(cut);
  blocks.erase(std::remove(blocks.begin(), blocks.end(), "head"), blocks.end());
  return blocks;
}

}  // namespace advbn
