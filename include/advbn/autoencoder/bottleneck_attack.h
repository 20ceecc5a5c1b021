#pragma once
// AdvBN at an autoencoder's bottleneck (paper App. A): PGD on the per-channel statistics of the
// encoded batch, the loss being a classifier's cross-entropy on the decoded images. The decoded
// adversarial images show what a feature-statistics perturbation looks like in pixels, and a
// whole data set of them is ImageNet-AdvBN (for ImageNet) or X-AdvBN for any folder.
#include <opencv2/core.hpp>
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "advbn/autoencoder/autoencoder.h"
#include "advbn/core/advbn_options.h"
#include "advbn/models/staged_network.h"

namespace advbn {

// The authors' settings: m = 6, τ = 0.2, ε = 1.1, δ starting at 1, no ReLU clamp.
AdvBNOptions bottleneck_attack_defaults();

struct BottleneckAttackResult {
  torch::Tensor reconstructed;  // decoded clean bottleneck, N × 3 × H × W in [0, 1] (unclamped)
  torch::Tensor adversarial;    // decoded perturbed bottleneck
  double clean_loss = 0;        // classifier cross-entropy on the reconstructions
  double adversarial_loss = 0;  // … on the adversarial images
  double clean_top1 = 0;        // classifier accuracy (%) on the reconstructions
  double adversarial_top1 = 0;
};

class BottleneckAttack {
 public:
  // The classifier is used whole, in eval mode, with its own input normalisation: this sets its
  // cut to kNoCut and freezes its parameters (it is shared, not copied). Throws advbn::Error for
  // invalid options.
  BottleneckAttack(Autoencoder autoencoder, StagedNetwork classifier, AdvBNOptions options);
  // One batch: images N × 3 × H × W in [0, 1] and their labels (N, int64), on the models' device.
  // The batch's composition matters: the statistics are the batch's.
  BottleneckAttackResult run(const torch::Tensor& images, const torch::Tensor& labels) const;

  struct DecodedBatch {
    std::vector<cv::Mat> images;  // AdvBN-decoded, CV_8UC3 RGB
    double clean_top1 = 0;        // classifier accuracy (%) on the reconstructions
    double adversarial_top1 = 0;  // … on the decoded images
  };
  // run() on same-sized CV_8UC1 or CV_8UC3 RGB images.
  DecodedBatch perturb_images(const std::vector<cv::Mat>& images, const std::vector<int64_t>& labels) const;
  const AdvBNOptions& options() const { return options_; }
  int64_t classes() const { return classes_; }
  // Where the models are: inputs go there.
  torch::Device device() const;

 private:
  torch::Tensor logits(const torch::Tensor& decoded) const;

  Autoencoder autoencoder_;
  StagedNetwork classifier_;
  AdvBNOptions options_;
  int64_t classes_ = 0;
};

struct AdvBNDatasetOptions {
  int64_t batch = 32;  // unshuffled batches in the folder's order, as the authors made ImageNet-AdvBN
  int resize = 256;    // shorter side first resized to this, then a centre crop of `crop`;
  int crop = 256;      // 0 for both: native sizes (every image of a batch must then share one)
};

struct AdvBNDatasetSummary {
  size_t images = 0;
  size_t classes = 0;
  double clean_top1 = 0;        // classifier accuracy on the reconstructions, %
  double adversarial_top1 = 0;  // … on the written images
};

// in/<class>/.../<file> → out/<class>/.../<file stem>.png. The folder's class index (sorted
// names, as torchvision's ImageFolder) is the label, so the classifier must have been trained
// with the same classes. `progress(done, total)` after each batch. Throws advbn::Error for an
// input that is not a class-folder dataset, more classes than the classifier has, or images of
// different sizes in one batch without resizing.
AdvBNDatasetSummary make_advbn_dataset(const BottleneckAttack& attack, const std::string& in, const std::string& out,
                                       const AdvBNDatasetOptions& options,
                                       const std::function<void(size_t, size_t)>& progress = {});

}  // namespace advbn
