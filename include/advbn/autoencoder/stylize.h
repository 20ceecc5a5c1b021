#pragma once
// AdaIN stylisation of whole data sets (Stylized-ImageNet's recipe for any folder): every image is
// stylised once, with one style image chosen for it by the seed and the image's key (its path
// relative to the folder), so a run is reproducible and independent of file order.
#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "advbn/autoencoder/autoencoder.h"
#include "advbn/autoencoder/style_images.h"

namespace advbn {

class Stylizer {
 public:
  // Encodes every style once. Throws advbn::Error for no styles or alpha outside [0, 1].
  Stylizer(Autoencoder autoencoder, const std::vector<StyleImage>& styles, double alpha, uint64_t seed);
  // The style an image with this key gets.
  size_t style_for(const std::string& key) const;
  // CV_8UC1 or CV_8UC3 RGB image → stylised CV_8UC3 RGB image of the same size.
  cv::Mat stylize(const cv::Mat& image, const std::string& key) const;
  size_t style_count() const { return style_features_.size(); }

 private:
  Autoencoder autoencoder_;
  std::vector<torch::Tensor> style_features_;
  double alpha_;
  uint64_t seed_;
};

struct FolderSummary {
  size_t images = 0;
  size_t classes = 0;
};

// in/<class>/.../<file> → out/<class>/.../<file stem>.png (lossless), the class-folder layout any
// advbn evaluation reads. `progress(done, total)` after each image. Throws advbn::Error for an
// input that is not a class-folder dataset.
FolderSummary stylize_folder(const Stylizer& stylizer, const std::string& in, const std::string& out,
                             const std::function<void(size_t, size_t)>& progress = {});

}  // namespace advbn
