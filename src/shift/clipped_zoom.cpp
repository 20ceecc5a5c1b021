#include "clipped_zoom.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace advbn::shift::detail {

namespace {
// Source coordinate = scale·destination + offset, along one axis of length n.
struct AxisMap {
  double scale;
  double offset;
};

AxisMap zoom_axis(int n, double zoom) {
  const int crop = static_cast<int>(std::ceil(n / zoom));
  const int top = (n - crop) / 2;
  const int zoomed = static_cast<int>(std::lround(crop * zoom));  // scipy's output length
  const int trim = (zoomed - n) / 2;
  const double scale = zoomed > 1 ? static_cast<double>(crop - 1) / (zoomed - 1) : 0.0;
  return {scale, top + trim * scale};
}
}  // namespace

cv::Mat clipped_zoom(const cv::Mat& img, double zoom) {
  const AxisMap x = zoom_axis(img.cols, zoom);
  const AxisMap y = zoom_axis(img.rows, zoom);
  const cv::Matx23d inverse(x.scale, 0.0, x.offset, 0.0, y.scale, y.offset);
  cv::Mat out;
  cv::warpAffine(img, out, inverse, img.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REPLICATE);
  return out;
}

}  // namespace advbn::shift::detail
