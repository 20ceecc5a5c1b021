#pragma once
// One picture of every shift: a row per corruption (the clean image, then the chosen severities)
// followed by rows of every filter, each tile labelled. For documentation and visual checks.
#include <opencv2/core.hpp>

#include <cstdint>
#include <vector>

namespace advbn::shift {

// img: CV_8UC1 or CV_8UC3, at least 8×8; shown as given (tiles below 96 px are enlarged with
// nearest-neighbour so pixels stay visible). severities: values in 1..5. Returns CV_8UC3.
cv::Mat contact_sheet(const cv::Mat& img, const std::vector<int>& severities = {1, 3, 5},
                      std::uint64_t seed = 0);

}  // namespace advbn::shift
