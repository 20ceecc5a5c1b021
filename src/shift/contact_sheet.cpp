#include "advbn/shift/contact_sheet.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <string>

#include "advbn/error.h"
#include "advbn/shift/corruptions.h"
#include "advbn/shift/filters.h"
#include "image_checks.h"

namespace advbn::shift {

namespace {
constexpr int kMinTile = 96;  // smaller images are enlarged so the labels fit

cv::Mat tile(const cv::Mat& img, int scale, const std::string& label) {
  cv::Mat out;
  cv::resize(img, out, cv::Size(), scale, scale, cv::INTER_NEAREST);
  if (out.channels() == 1) cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  const double font = std::max(0.3, out.cols / 400.0);
  const cv::Point at(3, out.rows - 5);
  cv::putText(out, label, at, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar::all(0), 3, cv::LINE_AA);
  cv::putText(out, label, at, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar::all(255), 1,
              cv::LINE_AA);
  return out;
}
}  // namespace

cv::Mat contact_sheet(const cv::Mat& img, const std::vector<int>& severities, std::uint64_t seed) {
  detail::check_image(img, "contact_sheet");
  if (severities.empty()) throw Error("contact_sheet: give at least one severity");
  const int scale = std::max(1, (kMinTile + std::min(img.rows, img.cols) - 1) /
                                    std::min(img.rows, img.cols));
  const std::size_t columns = severities.size() + 1;

  std::vector<cv::Mat> tiles;
  for (const std::string& name : all_corruptions()) {
    tiles.push_back(tile(img, scale, name));
    for (const int severity : severities) {
      tiles.push_back(tile(corrupt(img, name, severity, seed), scale, std::to_string(severity)));
    }
  }
  for (const std::string& name : filter_names()) {
    tiles.push_back(tile(apply_filter(img, name), scale, name));
  }
  while (tiles.size() % columns != 0) {
    tiles.push_back(cv::Mat(tiles.front().size(), CV_8UC3, cv::Scalar::all(0)));
  }
  std::vector<cv::Mat> rows;
  for (std::size_t i = 0; i < tiles.size(); i += columns) {
    cv::Mat row;
    cv::hconcat(std::vector<cv::Mat>(tiles.begin() + static_cast<std::ptrdiff_t>(i),
                                     tiles.begin() + static_cast<std::ptrdiff_t>(i + columns)),
                row);
    rows.push_back(row);
  }
  cv::Mat sheet;
  cv::vconcat(rows, sheet);
  return sheet;
}

}  // namespace advbn::shift
