#pragma once
// Overlay layers of the Instagram-style filters: a solid colour or a CSS gradient, composited on
// the image with a CSS blend mode (W3C Compositing and Blending Level 1) and an opacity.
#include <opencv2/core.hpp>

#include <vector>

namespace advbn::shift::detail {

enum class BlendMode {
  Normal, Multiply, Screen, Overlay, Darken, Lighten, ColorDodge, ColorBurn, HardLight, SoftLight,
  Difference, Exclusion, Hue, Color,
};

struct Rgba {
  float r, g, b;  // 0..255, as CSS writes them
  float a = 1.0f;
};

// A gradient stop; a negative position means "not given": CSS places the first at 0, the last at 1
// and spreads the others evenly between their given neighbours.
struct ColourStop {
  Rgba colour;
  float position = -1.0f;
};

struct Paint {
  enum Kind { Solid, LinearToRight, LinearToBottom, RadialCircle };
  Kind kind = Solid;
  std::vector<ColourStop> stops;  // one stop for Solid
  float centre_x = 0.5f;          // RadialCircle: centre as a fraction of width and height; the
  float centre_y = 0.5f;          // gradient ray reaches the farthest corner (CSS's default)
};

struct Layer {
  Paint paint;
  BlendMode mode = BlendMode::Normal;
  float opacity = 1.0f;
};

// rgb: CV_32FC3, RGB order, values in [0, 1]; the layer is composited over it in place.
void composite_layer(cv::Mat& rgb, const Layer& layer);

}  // namespace advbn::shift::detail
