#include "pixel_math.h"

#include <opencv2/imgproc.hpp>

namespace advbn::shift::detail {

cv::Mat to_unit(const cv::Mat& img8) {
  cv::Mat unit;
  img8.convertTo(unit, CV_32F, 1.0 / 255.0);
  return unit;
}

cv::Mat to_u8(const cv::Mat& unit) {
  cv::Mat img8;
  unit.convertTo(img8, CV_8U, 255.0);  // saturate_cast clips and rounds
  return img8;
}

cv::Mat add_noise(const cv::Mat& img8, const cv::Mat& noise) {
  CV_Assert(img8.isContinuous() && noise.isContinuous() && img8.total() == noise.total() &&
            img8.channels() == noise.channels() && noise.depth() == CV_32F);
  cv::Mat out(img8.size(), img8.type());
  const std::size_t n = img8.total() * static_cast<std::size_t>(img8.channels());
  const uchar* src = img8.ptr<uchar>();
  const float* add = noise.ptr<float>();
  uchar* dst = out.ptr<uchar>();
  for (std::size_t i = 0; i < n; ++i) {
    dst[i] = cv::saturate_cast<uchar>(static_cast<float>(src[i]) + add[i]);
  }
  return out;
}

cv::Mat gaussian(const cv::Mat& src, double sigma, double truncate, int border) {
  if (sigma <= 0.0) {
    return src.clone();
  }
  const int radius = static_cast<int>(truncate * sigma + 0.5);
  cv::Mat out;
  cv::GaussianBlur(src, out, cv::Size(2 * radius + 1, 2 * radius + 1), sigma, sigma, border);
  return out;
}

}  // namespace advbn::shift::detail
