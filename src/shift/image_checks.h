#pragma once
// Input validation shared by corruptions and filters.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace advbn::shift::detail {

// Smallest image side both corruptions and filters accept.
constexpr int kMinImageSide = 8;

// Throws advbn::Error unless img is CV_8UC1 or CV_8UC3 and at least 8×8; `what` names the caller.
void check_image(const cv::Mat& img, const std::string& what);

// "a, b, c"
std::string join(const std::vector<std::string>& items);

}  // namespace advbn::shift::detail
