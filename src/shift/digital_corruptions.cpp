// Digital corruptions: brightness, contrast, pixelate, JPEG, and the held-out saturate.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

#include "advbn/error.h"
#include "corruption_context.h"
#include "hsv_adjust.h"

namespace advbn::shift::detail {

namespace {
constexpr double kBrightness[2][5] = {{0.1, 0.2, 0.3, 0.4, 0.5}, {0.05, 0.1, 0.15, 0.2, 0.3}};
constexpr double kContrast[2][5] = {{0.4, 0.3, 0.2, 0.1, 0.05}, {0.75, 0.5, 0.4, 0.3, 0.15}};
constexpr double kPixelate[2][5] = {{0.6, 0.5, 0.4, 0.3, 0.25}, {0.95, 0.9, 0.85, 0.75, 0.65}};
constexpr int kJpegQuality[2][5] = {{25, 18, 15, 10, 7}, {80, 65, 58, 50, 40}};

struct SaturateRow {
  double factor;
  double offset;
};
constexpr SaturateRow kSaturate[2][5] = {{{0.3, 0}, {0.1, 0}, {2, 0}, {5, 0.1}, {20, 0.2}},
                                         {{0.3, 0}, {0.1, 0}, {1.5, 0}, {2, 0.1}, {2.5, 0.2}}};
}  // namespace

cv::Mat brightness(const cv::Mat& img, const CorruptionContext& ctx) {
  return shift_value(img, ctx.pick(kBrightness));
}

// Pulls every channel towards its own mean: (x − mean)·c + mean, one lookup table per channel.
cv::Mat contrast(const cv::Mat& img, const CorruptionContext& ctx) {
  const double c = ctx.pick(kContrast);
  const cv::Scalar means = cv::mean(img);
  const int cn = img.channels();
  cv::Mat table(1, 256, CV_8UC(cn));
  for (int v = 0; v < 256; ++v) {
    for (int k = 0; k < cn; ++k) {
      table.ptr<uchar>()[v * cn + k] = cv::saturate_cast<uchar>((v - means[k]) * c + means[k]);
    }
  }
  cv::Mat out;
  cv::LUT(img, table, out);
  return out;
}

// Box-filter down to a fraction of the size and back up, like PIL's BOX resampling.
cv::Mat pixelate(const cv::Mat& img, const CorruptionContext& ctx) {
  const double c = ctx.pick(kPixelate);
  const cv::Size small(std::max(1, static_cast<int>(img.cols * c)),
                       std::max(1, static_cast<int>(img.rows * c)));
  cv::Mat reduced;
  cv::resize(img, reduced, small, 0, 0, cv::INTER_AREA);
  cv::Mat out;
  cv::resize(reduced, out, img.size(), 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat jpeg_compression(const cv::Mat& img, const CorruptionContext& ctx) {
  std::vector<uchar> encoded;
  if (!cv::imencode(".jpg", img, encoded, {cv::IMWRITE_JPEG_QUALITY, ctx.pick(kJpegQuality)})) {
    throw Error("jpeg_compression: OpenCV could not encode the image as JPEG");
  }
  return cv::imdecode(encoded, img.channels() == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
}

cv::Mat saturate(const cv::Mat& img, const CorruptionContext& ctx) {
  const SaturateRow& row = ctx.pick(kSaturate);
  return scale_saturation(img, row.factor, row.offset);
}

}  // namespace advbn::shift::detail
