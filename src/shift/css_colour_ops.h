#pragma once
// The CSS filter functions (W3C Filter Effects Level 1) used by the Instagram-style filters, each an
// affine map of RGB followed by a clamp to [0, 1], as browsers apply them.
#include <opencv2/core.hpp>

namespace advbn::shift::detail {

struct ColourOp {
  enum Kind { Brightness, Contrast, Saturate, Sepia, Grayscale, HueRotate };
  Kind kind;
  float amount;  // factor; for HueRotate, degrees
};

// rgb: CV_32FC3, RGB order, values in [0, 1]; modified in place.
void apply_colour_op(cv::Mat& rgb, const ColourOp& op);

}  // namespace advbn::shift::detail
