#pragma once
// ImageNet-C's clipped_zoom: crop the centre 1/zoom of the image, enlarge it by `zoom` with
// scipy.ndimage.zoom (order 1, corner-aligned grid) and trim back to the input size. Done here as
// one bilinear affine warp per call instead of an enlarged intermediate image.
#include <opencv2/core.hpp>

namespace advbn::shift::detail {

// img: any depth and channel count; zoom >= 1. Same size and type out.
cv::Mat clipped_zoom(const cv::Mat& img, double zoom);

}  // namespace advbn::shift::detail
