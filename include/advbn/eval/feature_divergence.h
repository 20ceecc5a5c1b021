#pragma once
// Feature divergence between two domains (paper §5.4, after IBN-Net): per block and channel, the
// per-image spatial mean of the block's output is modelled as a Gaussian on each data set, and
// the symmetric KL divergence of the two Gaussians is averaged over the channels:
//   KL(A‖B)_i = log(σB/σA) + (σA² + (μA − μB)²) / (2σB²) − 1/2
//   D = (1/C) Σ_i KL(A‖B)_i + KL(B‖A)_i
// The moments are streamed in float64 (Chan's parallel form of Welford's update), so no data set
// is held in memory.
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "advbn/data/dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/eval/shift_suite.h"

namespace advbn {

// Mean and variance per channel of a stream of per-image values, in float64.
class ChannelMoments {
 public:
  // values: N × C (one row per image). Throws advbn::Error when C differs from earlier rows.
  void add(const torch::Tensor& values);
  int64_t count() const { return count_; }
  int64_t channels() const { return mean_.defined() ? mean_.size(0) : 0; }
  torch::Tensor mean() const { return mean_; }
  // Unbiased (n − 1) variance; throws advbn::Error with fewer than two images.
  torch::Tensor variance() const;

 private:
  int64_t count_ = 0;
  torch::Tensor mean_;  // [C], float64
  torch::Tensor m2_;    // [C], float64: sum of squared deviations from the mean
};

// Per image and channel, the mean over every dimension after the second (N×C×H×W → N×C; an N×C
// tensor such as logits is returned as it is), in float64.
torch::Tensor spatial_means(const torch::Tensor& features);

// Added to every variance so that a channel that is constant on both data sets (a dead ReLU)
// contributes 0 instead of 0/0, and one constant on only one data set a large finite value.
inline constexpr double kDivergenceVarianceFloor = 1e-8;

// D above for two fits of the same channels. Throws advbn::Error when the channel counts differ.
double symmetric_kl_divergence(const ChannelMoments& a, const ChannelMoments& b);

// A data set as the networks see it: its images through `pipeline` (which may shift them).
struct FeatureSource {
  std::string name;
  data::DatasetPtr dataset;
  data::Pipeline pipeline;
};

// The source's images with `shift` applied after the pipeline's geometry (as evaluate_shifts does).
FeatureSource shifted_source(const FeatureSource& clean, const Shift& shift);

// moments[model][block] of the spatial means of each model's block outputs over the whole source.
// Every model sees the same batches; networks run in eval mode on their branch, without gradients.
// Throws advbn::Error for an empty data set or an unknown block (naming it and the valid ones).
using BlockMoments = std::vector<std::vector<ChannelMoments>>;
BlockMoments measure_block_moments(const std::vector<ModelUnderTest>& models,
                                   const std::vector<std::string>& blocks, const FeatureSource& source,
                                   size_t batch, torch::Device device,
                                   const std::function<void(int64_t images_done)>& on_batch = {});

// divergence[model][block] between two measurements of the same models and blocks.
std::vector<std::vector<double>> block_divergences(const BlockMoments& a, const BlockMoments& b);

// The blocks compared by default: the cut (a block, stage or alias) and every block after it,
// without the head, whose outputs are logits rather than features.
std::vector<std::string> default_divergence_blocks(const StagedNetworkImpl& network, const std::string& cut);

}  // namespace advbn
