#include "css_blend.h"

#include <algorithm>
#include <cmath>

namespace advbn::shift::detail {

namespace {
struct Premultiplied {
  float r, g, b, a;  // colour in [0, 1] times alpha
};

Premultiplied premultiply(const Rgba& c) {
  const float a = c.a;
  return {c.r / 255.0f * a, c.g / 255.0f * a, c.b / 255.0f * a, a};
}

// Fills in missing stop positions and makes them non-decreasing, as CSS Images Level 3 specifies.
std::vector<ColourStop> resolve_stops(std::vector<ColourStop> stops) {
  if (stops.front().position < 0.0f) stops.front().position = 0.0f;
  if (stops.back().position < 0.0f) stops.back().position = 1.0f;
  float running = stops.front().position;
  for (ColourStop& stop : stops) {
    if (stop.position >= 0.0f) {
      stop.position = std::max(stop.position, running);
      running = stop.position;
    }
  }
  for (std::size_t i = 1; i + 1 < stops.size(); ++i) {
    if (stops[i].position >= 0.0f) continue;
    std::size_t next = i + 1;
    while (stops[next].position < 0.0f) ++next;
    const float from = stops[i - 1].position;
    const float to = stops[next].position;
    for (std::size_t j = i; j < next; ++j) {
      stops[j].position =
          from + (to - from) * static_cast<float>(j - i + 1) / static_cast<float>(next - i + 1);
    }
  }
  return stops;
}

// Colour at gradient position t, interpolated in premultiplied space (so 'transparent' fades
// without darkening).
Premultiplied sample(const std::vector<ColourStop>& stops, float t) {
  if (t <= stops.front().position) return premultiply(stops.front().colour);
  for (std::size_t i = 1; i < stops.size(); ++i) {
    if (t <= stops[i].position) {
      const float span = stops[i].position - stops[i - 1].position;
      const float w = span > 0.0f ? (t - stops[i - 1].position) / span : 1.0f;
      const Premultiplied a = premultiply(stops[i - 1].colour);
      const Premultiplied b = premultiply(stops[i].colour);
      return {a.r + w * (b.r - a.r), a.g + w * (b.g - a.g), a.b + w * (b.b - a.b),
              a.a + w * (b.a - a.a)};
    }
  }
  return premultiply(stops.back().colour);
}

// CV_32FC4 image of the paint: un-premultiplied RGB in [0, 1] and alpha.
cv::Mat render(const Paint& paint, cv::Size size) {
  const std::vector<ColourStop> stops = resolve_stops(paint.stops);
  const float w = static_cast<float>(size.width);
  const float h = static_cast<float>(size.height);
  const float cx = paint.centre_x * w;
  const float cy = paint.centre_y * h;
  const float ray = std::hypot(std::max(cx, w - cx), std::max(cy, h - cy));
  cv::Mat out(size, CV_32FC4);
  for (int y = 0; y < size.height; ++y) {
    auto* dst = out.ptr<cv::Vec4f>(y);
    for (int x = 0; x < size.width; ++x) {
      const float px = static_cast<float>(x) + 0.5f;
      const float py = static_cast<float>(y) + 0.5f;
      float t = 0.0f;
      switch (paint.kind) {
        case Paint::Solid: t = 0.0f; break;
        case Paint::LinearToRight: t = px / w; break;
        case Paint::LinearToBottom: t = py / h; break;
        case Paint::RadialCircle: t = std::hypot(px - cx, py - cy) / ray; break;
      }
      const Premultiplied c = sample(stops, t);
      const float inv = c.a > 0.0f ? 1.0f / c.a : 0.0f;
      dst[x] = cv::Vec4f(c.r * inv, c.g * inv, c.b * inv, c.a);
    }
  }
  return out;
}

float blend_separable(BlendMode mode, float cb, float cs) {
  switch (mode) {
    case BlendMode::Multiply: return cb * cs;
    case BlendMode::Screen: return cb + cs - cb * cs;
    case BlendMode::Overlay:  // hard-light with the roles swapped
      return cb <= 0.5f ? 2.0f * cb * cs : 1.0f - 2.0f * (1.0f - cb) * (1.0f - cs);
    case BlendMode::Darken: return std::min(cb, cs);
    case BlendMode::Lighten: return std::max(cb, cs);
    case BlendMode::ColorDodge:
      if (cb <= 0.0f) return 0.0f;
      return cs >= 1.0f ? 1.0f : std::min(1.0f, cb / (1.0f - cs));
    case BlendMode::ColorBurn:
      if (cb >= 1.0f) return 1.0f;
      return cs <= 0.0f ? 0.0f : 1.0f - std::min(1.0f, (1.0f - cb) / cs);
    case BlendMode::HardLight:
      return cs <= 0.5f ? 2.0f * cb * cs : 1.0f - 2.0f * (1.0f - cb) * (1.0f - cs);
    case BlendMode::SoftLight: {
      if (cs <= 0.5f) return cb - (1.0f - 2.0f * cs) * cb * (1.0f - cb);
      const float d = cb <= 0.25f ? ((16.0f * cb - 12.0f) * cb + 4.0f) * cb : std::sqrt(cb);
      return cb + (2.0f * cs - 1.0f) * (d - cb);
    }
    case BlendMode::Difference: return std::abs(cb - cs);
    case BlendMode::Exclusion: return cb + cs - 2.0f * cb * cs;
    default: return cs;
  }
}

// Non-separable modes work on luminosity and saturation of the whole colour.
float lum(const cv::Vec3f& c) { return 0.3f * c[0] + 0.59f * c[1] + 0.11f * c[2]; }

cv::Vec3f clip_colour(cv::Vec3f c) {
  const float l = lum(c);
  const float n = std::min({c[0], c[1], c[2]});
  const float x = std::max({c[0], c[1], c[2]});
  for (int k = 0; k < 3; ++k) {
    if (n < 0.0f) c[k] = l + (c[k] - l) * l / (l - n);
    if (x > 1.0f) c[k] = l + (c[k] - l) * (1.0f - l) / (x - l);
  }
  return c;
}

cv::Vec3f set_lum(const cv::Vec3f& c, float l) {
  const float d = l - lum(c);
  return clip_colour(cv::Vec3f(c[0] + d, c[1] + d, c[2] + d));
}

float sat(const cv::Vec3f& c) {
  return std::max({c[0], c[1], c[2]}) - std::min({c[0], c[1], c[2]});
}

cv::Vec3f set_sat(const cv::Vec3f& c, float s) {
  const float hi = std::max({c[0], c[1], c[2]});
  const float lo = std::min({c[0], c[1], c[2]});
  cv::Vec3f out(0.0f, 0.0f, 0.0f);
  if (hi > lo) {
    for (int k = 0; k < 3; ++k) out[k] = (c[k] - lo) * s / (hi - lo);
  }
  return out;
}

cv::Vec3f blend(BlendMode mode, const cv::Vec3f& cb, const cv::Vec3f& cs) {
  switch (mode) {
    case BlendMode::Hue: return set_lum(set_sat(cs, sat(cb)), lum(cb));
    case BlendMode::Color: return set_lum(cs, lum(cb));
    default:
      return {blend_separable(mode, cb[0], cs[0]), blend_separable(mode, cb[1], cs[1]),
              blend_separable(mode, cb[2], cs[2])};
  }
}
}  // namespace

void composite_layer(cv::Mat& rgb, const Layer& layer) {
  const cv::Mat paint = render(layer.paint, rgb.size());
  for (int y = 0; y < rgb.rows; ++y) {
    auto* dst = rgb.ptr<cv::Vec3f>(y);
    const auto* src = paint.ptr<cv::Vec4f>(y);
    for (int x = 0; x < rgb.cols; ++x) {
      const float alpha = src[x][3] * layer.opacity;
      if (alpha <= 0.0f) continue;
      const cv::Vec3f cs(src[x][0], src[x][1], src[x][2]);
      const cv::Vec3f mixed = blend(layer.mode, dst[x], cs);
      for (int k = 0; k < 3; ++k) {
        dst[x][k] = std::clamp((1.0f - alpha) * dst[x][k] + alpha * mixed[k], 0.0f, 1.0f);
      }
    }
  }
}

}  // namespace advbn::shift::detail
