#pragma once
// ImageMagick's motion blur (MotionBlurImage), which ImageNet-C uses for motion_blur and snow: each
// output pixel is a Gaussian-weighted mean of the pixels behind it along one direction.
#include <opencv2/core.hpp>

namespace advbn::shift::detail {

// img8: CV_8UC(n). The streak has 2·ceil(radius)+1 taps at offsets round(i·cos θ, i·sin θ),
// i = 0.., weighted exp(-i²/2σ²) and normalised; pixels beyond the border repeat the edge.
cv::Mat motion_streak(const cv::Mat& img8, double radius, double sigma, double angle_degrees);

}  // namespace advbn::shift::detail
