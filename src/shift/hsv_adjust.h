#pragma once
// HSV edits as ImageNet-C makes them (scikit-image rgb2hsv → edit → hsv2rgb), computed directly in
// RGB: with hue fixed, every channel is V·(1 − S·g(H)), so changing V scales the pixel and
// changing S scales its distance from V. Exact, and cheaper than converting to HSV and back.
#include <opencv2/core.hpp>

namespace advbn::shift::detail {

// V' = clip(V + delta, 0, 1). img8: CV_8UC1 (V is the value itself) or CV_8UC3.
cv::Mat shift_value(const cv::Mat& img8, double delta);

// S' = clip(S·factor + offset, 0, 1). img8: CV_8UC3 (BGR). Gray pixels have hue 0 (red), as in
// scikit-image, so a positive offset tints them red.
cv::Mat scale_saturation(const cv::Mat& img8, double factor, double offset);

}  // namespace advbn::shift::detail
