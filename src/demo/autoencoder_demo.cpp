#include "advbn/demo/autoencoder_demo.h"

#include <torch/torch.h>

#include <filesystem>
#include <iomanip>

#include "advbn/autoencoder/autoencoder_training.h"
#include "advbn/autoencoder/bottleneck_attack.h"
#include "advbn/autoencoder/image_tensors.h"
#include "advbn/autoencoder/perturbation_gallery.h"
#include "advbn/autoencoder/stylize.h"
#include "advbn/error.h"
#include "advbn/models/weights.h"

namespace advbn {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kAttackBatch = 32;  // App. A: unshuffled batches of 32
constexpr double kStyleAlpha = 1.0;   // Stylized-ImageNet's strength
constexpr size_t kGalleryImages = 8;
const std::vector<double> kGalleryEpsilons{0.25, 0.5, 0.75, 1.1};

// A test set made beforehand: the shift looks the image up by its test index.
Shift precomputed_shift(const std::string& name, std::vector<cv::Mat> images) {
  auto shared = std::make_shared<const std::vector<cv::Mat>>(std::move(images));
  return {name, 0, [shared](const cv::Mat&, size_t index) { return (*shared)[index].clone(); }};
}

}  // namespace

AutoencoderTestSets make_autoencoder_test_sets(const DemoOptions& options, const AutoencoderDemoPlan& plan,
                                               const data::DatasetPtr& test, std::ostream& log) {
  AutoencoderTrainConfig config;
  config.encoder = {plan.arch, plan.pretrained, plan.cut};
  config.data = options.data;
  config.out = (fs::path(options.out) / "cache" / "autoencoder").string();
  config.epochs = plan.epochs;
  config.limit = plan.limit;
  config.batch = 64;
  config.lr = 1e-3;  // a small decoder from scratch: AdaIN's 1e-4 is for VGG-sized ones
  config.val_images = 500;
  config.seed = options.seed;
  log << "[autoencoder] decoder for " << plan.arch << " up to " << plan.cut << " (pixel MSE + TV)\n";
  const auto history = train_autoencoder(config, log, options.interactive, options.device);
  Autoencoder autoencoder = load_trained_autoencoder(config);
  autoencoder.to(options.device);

  std::vector<cv::Mat> images;
  std::vector<int64_t> labels;
  for (size_t i = 0; i < test->size(); ++i) {
    auto sample = test->get(i);
    images.push_back(sample.image);
    labels.push_back(sample.label);
  }

  log << "[autoencoder] Stylized-Fashion-MNIST with the styles in " << options.styles << "\n";
  const int style_size = 2 * std::max(images.front().rows, images.front().cols);
  const auto styles = load_style_images(options.styles, style_size);
  const Stylizer stylizer(autoencoder, styles, kStyleAlpha, options.seed);
  std::vector<cv::Mat> stylised;
  for (size_t i = 0; i < images.size(); ++i) stylised.push_back(stylizer.stylize(images[i], std::to_string(i)));

  log << "[autoencoder] Fashion-MNIST-AdvBN: AdvBN at the bottleneck against the pretrained classifier\n";
  auto classifier = load_network({plan.arch, 0}, plan.pretrained, true);
  classifier->to(options.device);
  const auto attack_options = bottleneck_attack_defaults();
  const BottleneckAttack attack(autoencoder, classifier, attack_options);
  std::vector<cv::Mat> perturbed;
  double clean_top1 = 0, adversarial_top1 = 0;
  for (size_t first = 0; first < images.size(); first += kAttackBatch) {
    const size_t last = std::min(images.size(), first + static_cast<size_t>(kAttackBatch));
    const std::vector<cv::Mat> batch(images.begin() + first, images.begin() + last);
    const std::vector<int64_t> batch_labels(labels.begin() + first, labels.begin() + last);
    const auto result = attack.perturb_images(batch, batch_labels);
    perturbed.insert(perturbed.end(), result.images.begin(), result.images.end());
    clean_top1 += result.clean_top1 * static_cast<double>(last - first);
    adversarial_top1 += result.adversarial_top1 * static_cast<double>(last - first);
  }

  const std::vector<cv::Mat> gallery_images(images.begin(), images.begin() + std::min(kGalleryImages, images.size()));
  const std::vector<int64_t> gallery_labels(labels.begin(), labels.begin() + gallery_images.size());
  const auto gallery = make_perturbation_gallery(autoencoder, classifier, attack_options, kGalleryEpsilons,
                                                 gallery_images, gallery_labels);
  write_perturbation_gallery(gallery, (fs::path(options.out) / "autoencoder").string());

  nlohmann::json columns = nlohmann::json::array();
  for (const auto& column : gallery.columns) {
    columns.push_back({{"title", column.title}, {"epsilon", column.epsilon}, {"loss", column.loss}, {"top1", column.top1}});
  }
  const double n = static_cast<double>(images.size());
  AutoencoderTestSets sets;
  sets.section = {
      {"decoder", {{"encoder", autoencoder.encoder->identity()}, {"loss", "pixel"}, {"history", to_json(history)},
                   {"val_psnr", history.back().val_psnr}}},
      {"styles", {{"folder", options.styles}, {"count", styles.size()}, {"alpha", kStyleAlpha}, {"size", style_size}}},
      {"attack", {{"epsilon", attack_options.epsilon}, {"step_size", attack_options.step_size},
                  {"steps", attack_options.steps}, {"batch", kAttackBatch}, {"classifier", "pretrained"},
                  {"classifier_top1_reconstructed", clean_top1 / n}, {"classifier_top1_perturbed", adversarial_top1 / n}}},
      {"test_sets", {"stylized", "advbn_decoded"}},
      {"gallery", {{"file", "autoencoder/gallery.png"}, {"columns", columns}}}};
  sets.shifts = {precomputed_shift("stylized", std::move(stylised)), precomputed_shift("advbn_decoded", std::move(perturbed))};
  return sets;
}

void print_autoencoder_table(const nlohmann::json& section, std::ostream& log) {
  log << "\n" << std::left << std::setw(18) << "model" << std::right << std::setw(16) << "stylized top-1"
      << std::setw(20) << "advbn-decoded top-1" << "   (decoder: held-out PSNR " << std::fixed << std::setprecision(2)
      << section.at("decoder").at("val_psnr").get<double>() << " dB)\n";
  for (const auto& [name, sets] : section.at("models").items()) {
    log << std::left << std::setw(18) << name << std::right << std::setw(15) << sets.at("stylized").get<double>() << "%"
        << std::setw(19) << sets.at("advbn_decoded").get<double>() << "%\n";
  }
}

}  // namespace advbn
