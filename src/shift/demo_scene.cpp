#include "advbn/shift/demo_scene.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <vector>

#include "advbn/error.h"
#include "image_checks.h"

namespace advbn::shift {

cv::Mat demo_scene(cv::Size size) {
  if (size.width < detail::kMinImageSide || size.height < detail::kMinImageSide) {
    throw Error("demo_scene: both sides must be at least " +
                std::to_string(detail::kMinImageSide) + " px");
  }
  const int w = size.width;
  const int h = size.height;
  const auto px = [&](double fx, double fy) {
    return cv::Point(static_cast<int>(fx * w), static_cast<int>(fy * h));
  };
  const int unit = std::max(1, std::min(w, h));
  cv::Mat img(size, CV_8UC3);

  // Sky: deep blue at the top to pale blue at the horizon.
  for (int y = 0; y < h; ++y) {
    const double t = static_cast<double>(y) / h;
    img.row(y).setTo(cv::Scalar(235 - 40 * t, 160 + 60 * t, 70 + 150 * t));
  }
  cv::circle(img, px(0.78, 0.2), unit / 8, cv::Scalar(90, 220, 255), cv::FILLED, cv::LINE_AA);

  // Hills with a sinusoidal ridge, then grass below them.
  std::vector<cv::Point> hills;
  for (int x = 0; x <= w; x += std::max(1, w / 32)) {
    const double ridge = 0.45 + 0.06 * std::sin(6.0 * x / w) + 0.03 * std::sin(17.0 * x / w);
    hills.emplace_back(x, static_cast<int>(ridge * h));
  }
  hills.emplace_back(w, h);
  hills.emplace_back(0, h);
  cv::fillPoly(img, std::vector<std::vector<cv::Point>>{hills}, cv::Scalar(60, 120, 50),
               cv::LINE_AA);
  cv::rectangle(img, px(0.0, 0.68), px(1.0, 1.0), cv::Scalar(40, 150, 80), cv::FILLED);

  // Grass texture: fixed-seed noise so the scene is identical on every call.
  cv::Mat grass(h - px(0, 0.68).y, w, CV_8UC3);
  cv::RNG rng(20240521);
  rng.fill(grass, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(18));
  cv::Mat ground = img(cv::Rect(0, px(0, 0.68).y, w, grass.rows));
  cv::add(ground, grass, ground);

  // House: wall, roof, door, window.
  cv::rectangle(img, px(0.15, 0.5), px(0.42, 0.8), cv::Scalar(200, 220, 235), cv::FILLED);
  const std::vector<cv::Point> roof = {px(0.12, 0.5), px(0.45, 0.5), px(0.285, 0.33)};
  cv::fillPoly(img, std::vector<std::vector<cv::Point>>{roof}, cv::Scalar(40, 40, 170),
               cv::LINE_AA);
  cv::rectangle(img, px(0.25, 0.63), px(0.31, 0.8), cv::Scalar(30, 60, 110), cv::FILLED);
  cv::rectangle(img, px(0.34, 0.56), px(0.4, 0.64), cv::Scalar(120, 80, 20), cv::FILLED);

  // Trees: dark trunks and round crowns.
  for (const double fx : {0.58, 0.7, 0.88}) {
    cv::rectangle(img, px(fx - 0.012, 0.6), px(fx + 0.012, 0.78), cv::Scalar(20, 50, 80),
                  cv::FILLED);
    cv::circle(img, px(fx, 0.56), unit / 14, cv::Scalar(30, 100, 20), cv::FILLED, cv::LINE_AA);
  }
  return img;
}

}  // namespace advbn::shift
