#include "advbn/data/paired_transforms.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "advbn/data/random.h"
#include "advbn/data/segmentation_labels.h"

namespace advbn::data {

LabelledImage random_scale(const LabelledImage& in, double min_scale, double max_scale, std::mt19937_64& rng) {
  const double scale = uniform_real(rng, min_scale, max_scale);
  const cv::Size size(std::max(1, static_cast<int>(std::lround(in.image.cols * scale))),
                      std::max(1, static_cast<int>(std::lround(in.image.rows * scale))));
  LabelledImage out;
  cv::resize(in.image, out.image, size, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::resize(in.labels, out.labels, size, 0, 0, cv::INTER_NEAREST);
  return out;
}

LabelledImage random_crop(const LabelledImage& in, int size, std::mt19937_64& rng) {
  LabelledImage padded = in;
  const int bottom = std::max(0, size - in.image.rows);
  const int right = std::max(0, size - in.image.cols);
  if (bottom > 0 || right > 0) {
    cv::copyMakeBorder(in.image, padded.image, 0, bottom, 0, right, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::copyMakeBorder(in.labels, padded.labels, 0, bottom, 0, right, cv::BORDER_CONSTANT,
                       cv::Scalar::all(kIgnoreLabel));
  }
  const int top = static_cast<int>(uniform_index(rng, static_cast<uint64_t>(padded.image.rows - size + 1)));
  const int left = static_cast<int>(uniform_index(rng, static_cast<uint64_t>(padded.image.cols - size + 1)));
  const cv::Rect window(left, top, size, size);
  return {padded.image(window).clone(), padded.labels(window).clone()};
}

LabelledImage random_horizontal_flip(const LabelledImage& in, std::mt19937_64& rng) {
  if (uniform01(rng) >= 0.5) return {in.image.clone(), in.labels.clone()};
  LabelledImage out;
  cv::flip(in.image, out.image, 1);
  cv::flip(in.labels, out.labels, 1);
  return out;
}

}  // namespace advbn::data
