#include "advbn/autoencoder/stylize.h"

#include <torch/torch.h>

#include <filesystem>
#include <random>

#include "advbn/autoencoder/adain.h"
#include "advbn/autoencoder/image_output.h"
#include "advbn/autoencoder/image_tensors.h"
#include "advbn/data/image_folder.h"
#include "advbn/data/random.h"
#include "advbn/error.h"
#include "advbn/shift/folder_suite.h"

namespace advbn {

namespace fs = std::filesystem;

Stylizer::Stylizer(Autoencoder autoencoder, const std::vector<StyleImage>& styles, double alpha, uint64_t seed)
    : autoencoder_(std::move(autoencoder)), alpha_(alpha), seed_(seed) {
  if (styles.empty()) throw Error("stylisation needs at least one style image");
  if (!(alpha >= 0 && alpha <= 1)) throw Error("--alpha must lie in [0, 1], got " + std::to_string(alpha));
  torch::NoGradGuard no_grad;
  const auto device = autoencoder_.decoder->parameters().front().device();
  for (const auto& style : styles) {
    style_features_.push_back(autoencoder_.encode(images_to_tensor({style.rgb}).to(device)).features);
  }
}

size_t Stylizer::style_for(const std::string& key) const {
  std::mt19937_64 rng(shift::file_seed(seed_, key));
  return static_cast<size_t>(data::uniform_index(rng, style_features_.size()));
}

cv::Mat Stylizer::stylize(const cv::Mat& image, const std::string& key) const {
  torch::NoGradGuard no_grad;
  const auto device = autoencoder_.decoder->parameters().front().device();
  const auto content = autoencoder_.encode(images_to_tensor({image}).to(device));
  const auto target = adain_blend(content.features, style_features_[style_for(key)], alpha_);
  return tensor_to_images(autoencoder_.decode(target, content.height, content.width)).front();
}

FolderSummary stylize_folder(const Stylizer& stylizer, const std::string& in, const std::string& out,
                             const std::function<void(size_t, size_t)>& progress) {
  const data::ImageFolderDataset dataset(in);
  for (size_t i = 0; i < dataset.size(); ++i) {
    const std::string relative = fs::relative(dataset.path(i), in).generic_string();
    write_rgb_image(png_in_mirror(in, dataset.path(i), out), stylizer.stylize(dataset.get(i).image, relative));
    if (progress) progress(i + 1, dataset.size());
  }
  return {dataset.size(), dataset.classes().size()};
}

}  // namespace advbn
