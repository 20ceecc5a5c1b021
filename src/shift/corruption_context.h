#pragma once
// What every corruption receives, and the declarations of all corruptions. Internal to advbn_shift.
#include <opencv2/core.hpp>

#include <cstdint>

namespace advbn::shift::detail {

struct CorruptionContext {
  int severity = 1;         // 1..5
  bool cifar = false;       // CIFAR-10-C table instead of ImageNet-C
  double scale = 1.0;       // min(H, W) / the table's reference size; multiplies spatial parameters
  std::uint64_t seed = 0;   // already mixed with the corruption name

  // The row of a {ImageNet, CIFAR} × severity table that applies to this call.
  template <class Row>
  const Row& pick(const Row (&table)[2][5]) const {
    return table[cifar ? 1 : 0][severity - 1];
  }
  // A length given in pixels of the table's reference image, at this image's resolution.
  double px(double reference_pixels) const { return reference_pixels * scale; }
};

// Every corruption takes and returns CV_8UC1 or CV_8UC3 (the dispatcher converts grayscale to three
// channels first for those marked colour-only), continuous, at least 8×8.
using CorruptionFn = cv::Mat (*)(const cv::Mat& img, const CorruptionContext& ctx);

// noise_corruptions.cpp
cv::Mat gaussian_noise(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat shot_noise(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat impulse_noise(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat speckle_noise(const cv::Mat& img, const CorruptionContext& ctx);
// blur_corruptions.cpp
cv::Mat defocus_blur(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat glass_blur(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat motion_blur(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat zoom_blur(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat gaussian_blur(const cv::Mat& img, const CorruptionContext& ctx);
// weather_corruptions.cpp (colour-only: snow, frost, spatter)
cv::Mat snow(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat frost(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat fog(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat spatter(const cv::Mat& img, const CorruptionContext& ctx);
// digital_corruptions.cpp (colour-only: saturate)
cv::Mat brightness(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat contrast(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat pixelate(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat jpeg_compression(const cv::Mat& img, const CorruptionContext& ctx);
cv::Mat saturate(const cv::Mat& img, const CorruptionContext& ctx);
// elastic_transform.cpp
cv::Mat elastic_transform(const cv::Mat& img, const CorruptionContext& ctx);

}  // namespace advbn::shift::detail
