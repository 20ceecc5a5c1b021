#include "css_colour_ops.h"

#include <cmath>

namespace advbn::shift::detail {

namespace {
// Row-major 3×4: out = M · (r, g, b, 1).
cv::Matx34f affine_of(const ColourOp& op) {
  const float a = op.amount;
  const float k = 1.0f - a;  // "1 − amount" in the specification's matrices
  switch (op.kind) {
    case ColourOp::Brightness:
      return {a, 0, 0, 0, 0, a, 0, 0, 0, 0, a, 0};
    case ColourOp::Contrast: {
      const float b = 0.5f - 0.5f * a;
      return {a, 0, 0, b, 0, a, 0, b, 0, 0, a, b};
    }
    case ColourOp::Saturate:
      return {0.213f + 0.787f * a, 0.715f - 0.715f * a, 0.072f - 0.072f * a, 0,
              0.213f - 0.213f * a, 0.715f + 0.285f * a, 0.072f - 0.072f * a, 0,
              0.213f - 0.213f * a, 0.715f - 0.715f * a, 0.072f + 0.928f * a, 0};
    case ColourOp::Sepia:
      return {0.393f + 0.607f * k, 0.769f - 0.769f * k, 0.189f - 0.189f * k, 0,
              0.349f - 0.349f * k, 0.686f + 0.314f * k, 0.168f - 0.168f * k, 0,
              0.272f - 0.272f * k, 0.534f - 0.534f * k, 0.131f + 0.869f * k, 0};
    case ColourOp::Grayscale:
      return {0.2126f + 0.7874f * k, 0.7152f - 0.7152f * k, 0.0722f - 0.0722f * k, 0,
              0.2126f - 0.2126f * k, 0.7152f + 0.2848f * k, 0.0722f - 0.0722f * k, 0,
              0.2126f - 0.2126f * k, 0.7152f - 0.7152f * k, 0.0722f + 0.9278f * k, 0};
    case ColourOp::HueRotate: {
      const float c = std::cos(a * static_cast<float>(CV_PI) / 180.0f);
      const float s = std::sin(a * static_cast<float>(CV_PI) / 180.0f);
      return {0.213f + 0.787f * c - 0.213f * s, 0.715f - 0.715f * c - 0.715f * s,
              0.072f - 0.072f * c + 0.928f * s, 0,
              0.213f - 0.213f * c + 0.143f * s, 0.715f + 0.285f * c + 0.140f * s,
              0.072f - 0.072f * c - 0.283f * s, 0,
              0.213f - 0.213f * c - 0.787f * s, 0.715f - 0.715f * c + 0.715f * s,
              0.072f + 0.928f * c + 0.072f * s, 0};
    }
  }
  return cv::Matx34f::eye();
}
}  // namespace

void apply_colour_op(cv::Mat& rgb, const ColourOp& op) {
  cv::transform(rgb, rgb, affine_of(op));
  cv::min(rgb, 1.0, rgb);
  cv::max(rgb, 0.0, rgb);
}

}  // namespace advbn::shift::detail
