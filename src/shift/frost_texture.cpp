#include "frost_texture.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "pixel_math.h"
#include "plasma.h"

namespace advbn::shift::detail {

namespace {
constexpr double kHazeFloor = 0.2;
constexpr double kHazeGain = 0.5;
constexpr double kPixelsPerNeedle = 160.0;
constexpr double kMaxNeedleLength = 0.1;  // of the diagonal
constexpr double kGlowGain = 0.6;
constexpr double kIceTint[3] = {1.0, 0.95, 0.87};  // BGR: pale blue
}  // namespace

cv::Mat frost_texture(cv::Size size, cv::RNG& rng) {
  const cv::Mat haze = plasma_fractal(size.height, size.width, 1.8, rng);
  const double diagonal = std::hypot(size.width, size.height);
  const double base_angle = rng.uniform(0.0, CV_PI / 3.0);
  const int needles = std::max(8, static_cast<int>(std::lround(size.area() / kPixelsPerNeedle)));

  cv::Mat crystals(size, CV_8U, cv::Scalar(0));
  const auto draw = [&](cv::Point2d from, double angle, double length, double brightness) {
    const cv::Point2d to = from + length * cv::Point2d(std::cos(angle), std::sin(angle));
    cv::line(crystals, from, to, cv::Scalar(brightness * 255.0), 1, cv::LINE_AA);
    return to;
  };
  for (int i = 0; i < needles; ++i) {
    const cv::Point2d start(rng.uniform(0.0, static_cast<double>(size.width)),
                            rng.uniform(0.0, static_cast<double>(size.height)));
    const double angle = base_angle + CV_PI / 3.0 * rng.uniform(0, 3) + rng.uniform(-0.14, 0.14);
    const double length = diagonal * rng.uniform(0.2 * kMaxNeedleLength, kMaxNeedleLength);
    const int hx = std::clamp(static_cast<int>(start.x), 0, size.width - 1);
    const int hy = std::clamp(static_cast<int>(start.y), 0, size.height - 1);
    const double brightness =
        std::min(1.0, rng.uniform(0.25, 0.7) * (0.5 + haze.at<float>(hy, hx)));
    const cv::Point2d end = draw(start, angle, length, brightness);
    const int branches = rng.uniform(0, 4);
    for (int b = 0; b < branches; ++b) {
      const double t = rng.uniform(0.2, 0.9);
      const double side = rng.uniform(0, 2) == 0 ? -CV_PI / 3.0 : CV_PI / 3.0;
      draw(start + t * (end - start), angle + side, 0.3 * length * rng.uniform(0.5, 1.0),
           0.8 * brightness);
    }
  }

  const cv::Mat needles_f = to_unit(crystals);
  const cv::Mat sharp = gaussian(needles_f, 0.5);
  const cv::Mat glow = gaussian(needles_f, std::max(1.0, diagonal / 150.0));
  cv::Mat luminance = kHazeFloor + kHazeGain * haze + sharp + kGlowGain * glow;
  cv::min(luminance, 1.0, luminance);

  cv::Mat texture;
  cv::merge(std::vector<cv::Mat>{luminance * kIceTint[0], luminance * kIceTint[1],
                                 luminance * kIceTint[2]},
            texture);
  return texture;
}

}  // namespace advbn::shift::detail
