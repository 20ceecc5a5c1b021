#pragma once
// Helpers shared by the distribution-shift tests.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "advbn/shift/demo_scene.h"

namespace advbn::shift::testing {

// The demo scene at the given size, optionally converted to one channel.
inline cv::Mat scene(int width, int height, bool grayscale = false) {
  cv::Mat img = demo_scene(cv::Size(width, height));
  if (grayscale) {
    cv::cvtColor(img, img, cv::COLOR_BGR2GRAY);
  }
  return img;
}

// Mean absolute difference per sample, in 0..255 units.
inline double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  return cv::norm(a, b, cv::NORM_L1) / static_cast<double>(a.total() * a.channels());
}

// The same, after subtracting each image's per-channel mean: ignores a global brightness change.
inline double centred_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat fa, fb;
  a.convertTo(fa, CV_32F);
  b.convertTo(fb, CV_32F);
  fa -= cv::mean(fa);
  fb -= cv::mean(fb);
  return mean_abs_diff(fa, fb);
}

}  // namespace advbn::shift::testing
