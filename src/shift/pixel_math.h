#pragma once
// Conversions between 8-bit images and [0, 1] floats, and Gaussian blurs with the conventions of
// scikit-image/SciPy that the ImageNet-C tables were tuned with.
#include <opencv2/core.hpp>

namespace advbn::shift::detail {

// CV_8UC(n) -> CV_32FC(n) with values in [0, 1].
cv::Mat to_unit(const cv::Mat& img8);

// CV_32FC(n) in [0, 1] (values outside are clipped) -> CV_8UC(n), rounded.
cv::Mat to_u8(const cv::Mat& unit);

// img8 + noise, where noise is CV_32F with the same channel count, in 0..255 units; clipped, rounded.
cv::Mat add_noise(const cv::Mat& img8, const cv::Mat& noise);

// Gaussian blur whose kernel reaches truncate·sigma pixels each side, like skimage.filters.gaussian
// (truncate 4, border 'nearest' = BORDER_REPLICATE) or scipy.ndimage.gaussian_filter. sigma <= 0
// returns a copy.
cv::Mat gaussian(const cv::Mat& src, double sigma, double truncate = 4.0,
                 int border = cv::BORDER_REPLICATE);

}  // namespace advbn::shift::detail
