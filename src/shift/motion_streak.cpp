#include "motion_streak.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace advbn::shift::detail {

namespace {
struct Tap {
  int dx;
  int dy;
  float weight;
};

std::vector<Tap> streak_taps(double radius, double sigma, double angle_degrees) {
  const int width = 2 * static_cast<int>(std::ceil(std::max(radius, 0.0))) + 1;
  const double angle = angle_degrees * CV_PI / 180.0;
  const double safe_sigma = std::max(sigma, 1e-3);
  std::vector<Tap> taps;
  double total = 0.0;
  for (int i = 0; i < width; ++i) {
    const double weight = std::exp(-(static_cast<double>(i) * i) / (2.0 * safe_sigma * safe_sigma));
    // Far tail taps of a narrow Gaussian change no pixel value but cost a full pass each.
    if (weight < 1e-7) {
      break;
    }
    taps.push_back({static_cast<int>(std::ceil(i * std::cos(angle) - 0.5)),
                    static_cast<int>(std::ceil(i * std::sin(angle) - 0.5)),
                    static_cast<float>(weight)});
    total += weight;
  }
  for (Tap& tap : taps) {
    tap.weight = static_cast<float>(tap.weight / total);
  }
  return taps;
}
}  // namespace

cv::Mat motion_streak(const cv::Mat& img8, double radius, double sigma, double angle_degrees) {
  const std::vector<Tap> taps = streak_taps(radius, sigma, angle_degrees);
  int left = 0, right = 0, top = 0, bottom = 0;
  for (const Tap& tap : taps) {
    left = std::max(left, -tap.dx);
    right = std::max(right, tap.dx);
    top = std::max(top, -tap.dy);
    bottom = std::max(bottom, tap.dy);
  }
  cv::Mat padded;
  cv::copyMakeBorder(img8, padded, top, bottom, left, right, cv::BORDER_REPLICATE);

  const int cn = img8.channels();
  const int row_len = img8.cols * cn;
  cv::Mat out(img8.size(), img8.type());
  std::vector<float> acc(static_cast<std::size_t>(row_len));
  for (int y = 0; y < img8.rows; ++y) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (const Tap& tap : taps) {
      const uchar* src = padded.ptr<uchar>(y + top + tap.dy) + (left + tap.dx) * cn;
      const float w = tap.weight;
      for (int j = 0; j < row_len; ++j) {
        acc[j] += w * static_cast<float>(src[j]);
      }
    }
    uchar* dst = out.ptr<uchar>(y);
    for (int j = 0; j < row_len; ++j) {
      dst[j] = cv::saturate_cast<uchar>(acc[j]);
    }
  }
  return out;
}

}  // namespace advbn::shift::detail
