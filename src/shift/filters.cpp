#include "advbn/shift/filters.h"

#include <opencv2/imgproc.hpp>

#include "advbn/error.h"
#include "css_blend.h"
#include "css_colour_ops.h"
#include "image_checks.h"

namespace advbn::shift {

namespace {
using detail::BlendMode;
using detail::ColourOp;
using detail::ColourStop;
using detail::Layer;
using detail::Paint;
using detail::Rgba;

struct FilterSpec {
  std::string name;
  std::vector<ColourOp> ops;  // applied left to right after the layers
  std::vector<Layer> layers;  // bottom (::before) to top (::after)
};

Rgba hex(unsigned rgb, float alpha = 1.0f) {
  return {static_cast<float>((rgb >> 16) & 0xff), static_cast<float>((rgb >> 8) & 0xff),
          static_cast<float>(rgb & 0xff), alpha};
}
constexpr Rgba kTransparent{0, 0, 0, 0};

Layer solid(Rgba colour, BlendMode mode, float opacity = 1.0f) {
  return {Paint{Paint::Solid, {{colour}}}, mode, opacity};
}
Layer gradient(Paint::Kind kind, std::vector<ColourStop> stops, BlendMode mode,
               float opacity = 1.0f) {
  return {Paint{kind, std::move(stops)}, mode, opacity};
}

ColourOp brightness(float a) { return {ColourOp::Brightness, a}; }
ColourOp contrast(float a) { return {ColourOp::Contrast, a}; }
ColourOp saturate(float a) { return {ColourOp::Saturate, a}; }
ColourOp sepia(float a) { return {ColourOp::Sepia, a}; }
ColourOp grayscale(float a) { return {ColourOp::Grayscale, a}; }
ColourOp hue_rotate(float degrees) { return {ColourOp::HueRotate, degrees}; }

// The table documented in filters.h; keep both in step.
std::vector<FilterSpec> build_filters() {
  using B = BlendMode;
  Layer mayfair_light = gradient(Paint::RadialCircle,
                                 {{{255, 255, 255, 0.8f}}, {{255, 200, 200, 0.6f}},
                                  {hex(0x111111), 0.6f}},
                                 B::Overlay, 0.4f);
  mayfair_light.paint.centre_x = 0.4f;
  mayfair_light.paint.centre_y = 0.4f;
  return {
      {"1977", {contrast(1.1f), brightness(1.1f), saturate(1.3f)},
       {solid({243, 106, 188, 0.3f}, B::Screen)}},
      {"aden", {hue_rotate(-20), contrast(0.9f), saturate(0.85f), brightness(1.2f)},
       {gradient(Paint::LinearToRight, {{{66, 10, 14, 0.2f}}, {kTransparent}}, B::Darken)}},
      {"amaro", {hue_rotate(-10), contrast(0.9f), brightness(1.1f), saturate(1.5f)}, {}},
      {"brannan", {sepia(0.5f), contrast(1.4f)}, {solid({161, 44, 199, 0.31f}, B::Lighten)}},
      {"brooklyn", {contrast(0.9f), brightness(1.1f)},
       {gradient(Paint::RadialCircle, {{{168, 223, 193, 0.4f}, 0.7f}, {hex(0xc4b7c8)}},
                 B::Overlay)}},
      {"clarendon", {contrast(1.2f), saturate(1.35f)}, {solid({127, 187, 227, 0.2f}, B::Overlay)}},
      {"earlybird", {contrast(0.9f), sepia(0.2f)},
       {gradient(Paint::RadialCircle,
                 {{hex(0xd0ba8e), 0.2f}, {hex(0x360309), 0.85f}, {hex(0x1d0210), 1.0f}},
                 B::Overlay)}},
      {"gingham", {brightness(1.05f), hue_rotate(-10)}, {solid({230, 230, 250}, B::SoftLight)}},
      {"hudson", {brightness(1.2f), contrast(0.9f), saturate(1.1f)},
       {gradient(Paint::RadialCircle, {{hex(0xa6b1ff), 0.5f}, {hex(0x342134)}}, B::Multiply,
                 0.5f)}},
      {"inkwell", {sepia(0.3f), contrast(1.1f), brightness(1.1f), grayscale(1.0f)}, {}},
      {"kelvin", {}, {solid(hex(0x382c34), B::ColorDodge), solid(hex(0xb77d21), B::Overlay)}},
      {"lark", {contrast(0.9f)},
       {solid(hex(0x22253f), B::ColorDodge), solid({242, 242, 242, 0.8f}, B::Darken)}},
      {"lofi", {saturate(1.1f), contrast(1.5f)},
       {gradient(Paint::RadialCircle, {{kTransparent, 0.7f}, {hex(0x222222), 1.5f}},
                 B::Multiply)}},
      {"maven", {sepia(0.25f), brightness(0.95f), contrast(0.95f), saturate(1.5f)},
       {solid({3, 230, 26, 0.2f}, B::Hue)}},
      {"mayfair", {contrast(1.1f), saturate(1.1f)}, {mayfair_light}},
      {"moon", {grayscale(1.0f), contrast(1.1f), brightness(1.1f)},
       {solid(hex(0xa0a0a0), B::SoftLight), solid(hex(0x383838), B::Lighten)}},
      {"nashville", {sepia(0.2f), contrast(1.2f), brightness(1.05f), saturate(1.2f)},
       {solid({247, 176, 153, 0.56f}, B::Darken), solid({0, 70, 150, 0.4f}, B::Lighten)}},
      {"perpetua", {},
       {gradient(Paint::LinearToBottom, {{hex(0x005b9a)}, {hex(0xe6c13d)}}, B::SoftLight,
                 0.5f)}},
      {"reyes", {sepia(0.22f), brightness(1.1f), contrast(0.85f), saturate(0.75f)},
       {solid(hex(0xefcdad), B::SoftLight, 0.5f)}},
      {"rise", {brightness(1.05f), sepia(0.2f), contrast(0.9f), saturate(0.9f)},
       {gradient(Paint::RadialCircle, {{{236, 205, 169, 0.15f}, 0.55f}, {{50, 30, 7, 0.4f}}},
                 B::Multiply),
        gradient(Paint::RadialCircle, {{{232, 197, 152, 0.8f}}, {kTransparent, 0.9f}},
                 B::Overlay, 0.6f)}},
      {"slumber", {saturate(0.66f), brightness(1.05f)},
       {solid({69, 41, 12, 0.4f}, B::Lighten), solid({125, 105, 24, 0.5f}, B::SoftLight)}},
      {"stinson", {contrast(0.75f), saturate(0.85f), brightness(1.15f)},
       {solid({240, 149, 128, 0.2f}, B::SoftLight)}},
      {"toaster", {contrast(1.5f), brightness(0.9f)},
       {gradient(Paint::RadialCircle, {{hex(0x804e0f)}, {hex(0x3b003b)}}, B::Screen)}},
      {"valencia", {contrast(1.08f), brightness(1.08f), sepia(0.08f)},
       {solid(hex(0x3a0339), B::Exclusion, 0.5f)}},
      {"walden", {brightness(1.1f), hue_rotate(-10), sepia(0.3f), saturate(1.6f)},
       {solid(hex(0x0044cc), B::Screen, 0.3f)}},
      {"willow", {grayscale(0.5f), contrast(0.95f), brightness(0.9f)},
       {solid(hex(0xd8cdcb), B::Color)}},
      {"xpro2", {sepia(0.3f)},
       {gradient(Paint::RadialCircle, {{hex(0xe6e7e0), 0.4f}, {{43, 42, 161, 0.6f}, 1.1f}},
                 B::ColorBurn)}},
  };
}

const std::vector<FilterSpec>& filters() {
  static const std::vector<FilterSpec> table = build_filters();
  return table;
}

std::vector<std::string> names_of(const std::vector<FilterSpec>& specs) {
  std::vector<std::string> names;
  for (const FilterSpec& spec : specs) names.push_back(spec.name);
  return names;
}
}  // namespace

const std::vector<std::string>& filter_names() {
  static const std::vector<std::string> names = names_of(filters());
  return names;
}

cv::Mat apply_filter(const cv::Mat& img, const std::string& name) {
  const FilterSpec* spec = nullptr;
  for (const FilterSpec& candidate : filters()) {
    if (candidate.name == name) spec = &candidate;
  }
  if (spec == nullptr) {
    throw Error("unknown filter '" + name + "'; valid filters: " + detail::join(filter_names()));
  }
  detail::check_image(img, "apply_filter('" + name + "')");

  cv::Mat rgb;
  cv::cvtColor(img, rgb, img.channels() == 1 ? cv::COLOR_GRAY2RGB : cv::COLOR_BGR2RGB);
  rgb.convertTo(rgb, CV_32F, 1.0 / 255.0);
  for (const Layer& layer : spec->layers) detail::composite_layer(rgb, layer);
  for (const ColourOp& op : spec->ops) detail::apply_colour_op(rgb, op);

  cv::Mat out;
  rgb.convertTo(out, CV_8U, 255.0);
  cv::cvtColor(out, out, img.channels() == 1 ? cv::COLOR_RGB2GRAY : cv::COLOR_RGB2BGR);
  return out;
}

}  // namespace advbn::shift
