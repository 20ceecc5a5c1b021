#include "advbn/autoencoder/bottleneck_attack.h"

#include <torch/torch.h>

#include <filesystem>

#include "advbn/autoencoder/image_output.h"
#include "advbn/autoencoder/image_tensors.h"
#include "advbn/core/adv_batch_norm.h"
#include "advbn/data/image_folder.h"
#include "advbn/data/transforms.h"
#include "advbn/error.h"

namespace advbn {

namespace fs = std::filesystem;

AdvBNOptions bottleneck_attack_defaults() {
  AdvBNOptions options;
  options.epsilon = 1.1;
  options.step_size = 0.2;
  options.steps = 6;
  options.relu_clamp = false;
  return options;
}

BottleneckAttack::BottleneckAttack(Autoencoder autoencoder, StagedNetwork classifier, AdvBNOptions options)
    : autoencoder_(std::move(autoencoder)), classifier_(std::move(classifier)), options_(options) {
  options_.validate();
  classifier_->set_cut(kNoCut);
  classifier_->eval();
  for (auto& parameter : classifier_->parameters()) parameter.requires_grad_(false);
  autoencoder_.decoder->eval();
  classes_ = classifier_->spec().num_classes;
}

torch::Device BottleneckAttack::device() const { return autoencoder_.decoder->parameters().front().device(); }

torch::Tensor BottleneckAttack::logits(const torch::Tensor& decoded) const {
  return classifier_->forward(normalise_images(decoded.clamp(0, 1), classifier_->spec().normalization));
}

BottleneckAttackResult BottleneckAttack::run(const torch::Tensor& images, const torch::Tensor& labels) const {
  PaddedFeatures encoded;
  {
    torch::NoGradGuard no_grad;
    encoded = autoencoder_.encode(images);
  }
  auto decode = [&](const torch::Tensor& f) { return autoencoder_.decode(f, encoded.height, encoded.width); };
  const FeatureLoss loss = [&](const torch::Tensor& f) { return torch::cross_entropy_loss(logits(decode(f)), labels); };
  // The loss at the final δ is measured below, with the accuracy.
  const auto attacked = AdvBatchNorm(options_).attack(encoded.features, loss, /*evaluate_final_loss=*/false);
  torch::NoGradGuard no_grad;
  BottleneckAttackResult result;
  result.reconstructed = decode(encoded.features);
  result.adversarial = decode(attacked.features);
  auto measure = [&](const torch::Tensor& decoded, double& loss_out, double& top1_out) {
    const auto scores = logits(decoded);
    loss_out = torch::cross_entropy_loss(scores, labels).item<double>();
    top1_out = 100.0 * scores.argmax(1).eq(labels).to(torch::kDouble).mean().item<double>();
  };
  measure(result.reconstructed, result.clean_loss, result.clean_top1);
  measure(result.adversarial, result.adversarial_loss, result.adversarial_top1);
  return result;
}

BottleneckAttack::DecodedBatch BottleneckAttack::perturb_images(const std::vector<cv::Mat>& images,
                                                               const std::vector<int64_t>& labels) const {
  const auto result = run(images_to_tensor(images).to(device()), torch::tensor(labels).to(device()));
  return {tensor_to_images(result.adversarial), result.clean_top1, result.adversarial_top1};
}

AdvBNDatasetSummary make_advbn_dataset(const BottleneckAttack& attack, const std::string& in, const std::string& out,
                                       const AdvBNDatasetOptions& options,
                                       const std::function<void(size_t, size_t)>& progress) {
  if (options.batch < 1) throw Error("--batch must be >= 1, got " + std::to_string(options.batch));
  const data::ImageFolderDataset dataset(in);
  if (static_cast<int64_t>(dataset.classes().size()) > attack.classes()) {
    throw Error(in + " has " + std::to_string(dataset.classes().size()) + " classes but the classifier only " +
                std::to_string(attack.classes()) + ": its labels would not match the folder's");
  }
  AdvBNDatasetSummary summary{dataset.size(), dataset.classes().size(), 0, 0};
  for (size_t first = 0; first < dataset.size(); first += static_cast<size_t>(options.batch)) {
    const size_t last = std::min(dataset.size(), first + static_cast<size_t>(options.batch));
    std::vector<cv::Mat> images;
    std::vector<int64_t> labels;
    for (size_t i = first; i < last; ++i) {
      auto sample = dataset.get(i);
      if (options.crop > 0) sample.image = data::center_crop(data::resize_shorter_side(sample.image, options.resize), options.crop);
      if (!images.empty() && sample.image.size() != images.front().size()) {
        throw Error(dataset.path(i) + " differs in size from the first image of its batch; give --resize and --crop");
      }
      images.push_back(sample.image);
      labels.push_back(sample.label);
    }
    const auto result = attack.perturb_images(images, labels);
    for (size_t i = first; i < last; ++i) write_rgb_image(png_in_mirror(in, dataset.path(i), out), result.images[i - first]);
    const double weight = static_cast<double>(last - first);
    summary.clean_top1 += result.clean_top1 * weight;
    summary.adversarial_top1 += result.adversarial_top1 * weight;
    if (progress) progress(last, dataset.size());
  }
  summary.clean_top1 /= static_cast<double>(dataset.size());
  summary.adversarial_top1 /= static_cast<double>(dataset.size());
  return summary;
}

}  // namespace advbn
