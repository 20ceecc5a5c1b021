#include "hsv_adjust.h"

#include <opencv2/core.hpp>

#include <algorithm>

namespace advbn::shift::detail {

cv::Mat shift_value(const cv::Mat& img8, double delta) {
  const float add = static_cast<float>(delta * 255.0);
  cv::Mat out(img8.size(), img8.type());
  if (img8.channels() == 1) {
    cv::Mat table(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v) {
      table.at<uchar>(v) = cv::saturate_cast<uchar>(std::clamp(v + add, 0.0f, 255.0f));
    }
    cv::LUT(img8, table, out);
    return out;
  }
  for (int y = 0; y < img8.rows; ++y) {
    const auto* src = img8.ptr<cv::Vec3b>(y);
    auto* dst = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < img8.cols; ++x) {
      const float v = std::max({src[x][0], src[x][1], src[x][2]});
      const float shifted = std::clamp(v + add, 0.0f, 255.0f);
      if (v > 0.0f) {
        const float gain = shifted / v;
        for (int c = 0; c < 3; ++c) {
          dst[x][c] = cv::saturate_cast<uchar>(src[x][c] * gain);
        }
      } else {
        dst[x] = cv::Vec3b::all(cv::saturate_cast<uchar>(shifted));
      }
    }
  }
  return out;
}

cv::Mat scale_saturation(const cv::Mat& img8, double factor, double offset) {
  CV_Assert(img8.type() == CV_8UC3);
  cv::Mat out(img8.size(), img8.type());
  for (int y = 0; y < img8.rows; ++y) {
    const auto* src = img8.ptr<cv::Vec3b>(y);
    auto* dst = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < img8.cols; ++x) {
      const float v = std::max({src[x][0], src[x][1], src[x][2]});
      const float lo = std::min({src[x][0], src[x][1], src[x][2]});
      if (v == 0.0f) {
        dst[x] = src[x];
        continue;
      }
      const float s = (v - lo) / v;
      const float scaled = std::clamp(static_cast<float>(s * factor + offset), 0.0f, 1.0f);
      if (s > 0.0f) {
        const float gain = scaled / s;
        for (int c = 0; c < 3; ++c) {
          dst[x][c] = cv::saturate_cast<uchar>(v - (v - src[x][c]) * gain);
        }
      } else {  // hue 0: red stays at V, green and blue drop to V·(1 − S')
        const uchar low = cv::saturate_cast<uchar>(v * (1.0f - scaled));
        dst[x] = cv::Vec3b(low, low, static_cast<uchar>(v));
      }
    }
  }
  return out;
}

}  // namespace advbn::shift::detail
