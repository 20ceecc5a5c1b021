// The colour operations behind the filters, against values worked out from the W3C formulas.
#include <gtest/gtest.h>

#include "shift/css_blend.h"
#include "shift/css_colour_ops.h"

namespace advbn::shift::detail {
namespace {

cv::Mat pixel(float r, float g, float b) { return cv::Mat(1, 1, CV_32FC3, cv::Scalar(r, g, b)); }

cv::Vec3f after_op(const cv::Mat& px, ColourOp op) {
  cv::Mat m = px.clone();
  apply_colour_op(m, op);
  return m.at<cv::Vec3f>(0, 0);
}

cv::Vec3f after_layer(const cv::Mat& px, const Layer& layer) {
  cv::Mat m = px.clone();
  composite_layer(m, layer);
  return m.at<cv::Vec3f>(0, 0);
}

void expect_near(const cv::Vec3f& got, const cv::Vec3f& want, float tol = 1e-4f) {
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(got[k], want[k], tol) << "channel " << k;
}

TEST(CssColourOps, NeutralAmountsAreIdentity) {
  const cv::Mat px = pixel(0.2f, 0.5f, 0.9f);
  const cv::Vec3f same(0.2f, 0.5f, 0.9f);
  expect_near(after_op(px, {ColourOp::Brightness, 1.0f}), same);
  expect_near(after_op(px, {ColourOp::Contrast, 1.0f}), same);
  expect_near(after_op(px, {ColourOp::Saturate, 1.0f}), same, 2e-3f);
  expect_near(after_op(px, {ColourOp::Sepia, 0.0f}), same);
  expect_near(after_op(px, {ColourOp::Grayscale, 0.0f}), same);
  expect_near(after_op(px, {ColourOp::HueRotate, 0.0f}), same, 2e-3f);
}

TEST(CssColourOps, KnownValues) {
  const cv::Mat px = pixel(0.2f, 0.5f, 0.9f);
  expect_near(after_op(px, {ColourOp::Brightness, 1.5f}), {0.3f, 0.75f, 1.0f});  // clamped
  expect_near(after_op(px, {ColourOp::Contrast, 2.0f}), {0.0f, 0.5f, 1.0f});
  const float luma = 0.2126f * 0.2f + 0.7152f * 0.5f + 0.0722f * 0.9f;
  expect_near(after_op(px, {ColourOp::Grayscale, 1.0f}), {luma, luma, luma});
  const cv::Vec3f sepia = after_op(px, {ColourOp::Sepia, 1.0f});
  EXPECT_NEAR(sepia[0], std::min(1.0f, 0.393f * 0.2f + 0.769f * 0.5f + 0.189f * 0.9f), 1e-4f);
  EXPECT_NEAR(sepia[2], 0.272f * 0.2f + 0.534f * 0.5f + 0.131f * 0.9f, 1e-4f);
  // A gray pixel has no hue to rotate and no saturation to scale.
  expect_near(after_op(pixel(0.4f, 0.4f, 0.4f), {ColourOp::HueRotate, 120.0f}), {0.4f, 0.4f, 0.4f},
              2e-3f);
  expect_near(after_op(pixel(0.4f, 0.4f, 0.4f), {ColourOp::Saturate, 3.0f}), {0.4f, 0.4f, 0.4f},
              2e-3f);
}

Layer solid(float r, float g, float b, BlendMode mode, float alpha = 1.0f, float opacity = 1.0f) {
  return {Paint{Paint::Solid, {{Rgba{r, g, b, alpha}}}}, mode, opacity};
}

TEST(CssBlend, SeparableModes) {
  const cv::Mat px = pixel(0.2f, 0.5f, 0.8f);
  expect_near(after_layer(px, solid(255, 255, 255, BlendMode::Multiply)), {0.2f, 0.5f, 0.8f});
  expect_near(after_layer(px, solid(0, 0, 0, BlendMode::Screen)), {0.2f, 0.5f, 0.8f});
  expect_near(after_layer(px, solid(127.5f, 127.5f, 127.5f, BlendMode::SoftLight)),
              {0.2f, 0.5f, 0.8f});
  // Overlay: 2·cb·cs where the backdrop is dark, 1 − 2(1 − cb)(1 − cs) where it is light.
  expect_near(after_layer(px, solid(51, 51, 51, BlendMode::Overlay)), {0.08f, 0.2f, 0.68f});
  expect_near(after_layer(px, solid(102, 102, 102, BlendMode::Darken)), {0.2f, 0.4f, 0.4f});
  expect_near(after_layer(px, solid(102, 102, 102, BlendMode::Lighten)), {0.4f, 0.5f, 0.8f});
  expect_near(after_layer(px, solid(127.5f, 127.5f, 127.5f, BlendMode::ColorDodge)),
              {0.4f, 1.0f, 1.0f});
  expect_near(after_layer(px, solid(127.5f, 127.5f, 127.5f, BlendMode::ColorBurn)),
              {0.0f, 0.0f, 0.6f});
  expect_near(after_layer(px, solid(255, 0, 127.5f, BlendMode::Exclusion)), {0.8f, 0.5f, 0.5f});
  expect_near(after_layer(px, solid(255, 0, 127.5f, BlendMode::Difference)), {0.8f, 0.5f, 0.3f});
}

TEST(CssBlend, AlphaAndOpacityMixWithTheBackdrop) {
  const cv::Mat px = pixel(0.2f, 0.5f, 0.8f);
  // Normal blend of white at alpha .5 and opacity .5: a quarter of the way to white.
  expect_near(after_layer(px, solid(255, 255, 255, BlendMode::Normal, 0.5f, 0.5f)),
              {0.4f, 0.625f, 0.85f});
  expect_near(after_layer(px, solid(255, 0, 0, BlendMode::Normal, 0.0f)), {0.2f, 0.5f, 0.8f});
}

TEST(CssBlend, ColorModeKeepsBackdropLuminosity) {
  const cv::Mat px = pixel(0.2f, 0.5f, 0.8f);
  const cv::Vec3f out = after_layer(px, solid(255, 0, 0, BlendMode::Color));
  const auto lum = [](const cv::Vec3f& c) { return 0.3f * c[0] + 0.59f * c[1] + 0.11f * c[2]; };
  EXPECT_NEAR(lum(out), lum(cv::Vec3f(0.2f, 0.5f, 0.8f)), 1e-4f);
  EXPECT_GT(out[0], out[1]);  // takes the source's hue: red
}

TEST(CssBlend, GradientStopsFollowCss) {
  // Linear to the right from black to white: the left column is dark, the right column bright,
  // and the middle halfway.
  cv::Mat img(1, 100, CV_32FC3, cv::Scalar(0, 0, 0));
  const Layer ramp{Paint{Paint::LinearToRight, {{Rgba{0, 0, 0}}, {Rgba{255, 255, 255}}}},
                   BlendMode::Normal, 1.0f};
  composite_layer(img, ramp);
  EXPECT_NEAR(img.at<cv::Vec3f>(0, 0)[0], 0.005f, 1e-3f);
  EXPECT_NEAR(img.at<cv::Vec3f>(0, 99)[0], 0.995f, 1e-3f);
  EXPECT_NEAR(img.at<cv::Vec3f>(0, 49)[0], 0.495f, 1e-3f);
  // Three stops with the middle one unplaced: it lands halfway between its neighbours (0 and .6),
  // and the colour stays at the last stop beyond .6.
  cv::Mat wide(1, 100, CV_32FC3, cv::Scalar(0, 0, 0));
  const Layer stops{Paint{Paint::LinearToRight,
                          {{Rgba{0, 0, 0}}, {Rgba{255, 255, 255}}, {Rgba{0, 0, 0}, 0.6f}}},
                    BlendMode::Normal, 1.0f};
  composite_layer(wide, stops);
  EXPECT_NEAR(wide.at<cv::Vec3f>(0, 29)[0], 0.983f, 2e-2f);  // t = .295, near the white stop at .3
  EXPECT_NEAR(wide.at<cv::Vec3f>(0, 80)[0], 0.0f, 1e-4f);
}

}  // namespace
}  // namespace advbn::shift::detail
