// Weather corruptions: snow, frost, fog, and the held-out spatter.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

#include "clipped_zoom.h"
#include "corruption_context.h"
#include "frost_texture.h"
#include "motion_streak.h"
#include "pixel_math.h"
#include "plasma.h"
#include "random_fields.h"

namespace advbn::shift::detail {

namespace {
struct SnowRow {
  double mean;          // of the Gaussian flake field
  double stddev;
  double zoom;          // flake size, reference pixels
  double threshold;     // field values below it are no snow
  double blur_radius;   // motion streak, reference pixels
  double blur_sigma;    // reference pixels
  double image_weight;  // how much of the image survives the whitening
};
constexpr SnowRow kSnow[2][5] = {
    {{0.1, 0.3, 3, 0.5, 10, 4, 0.8},
     {0.2, 0.3, 2, 0.5, 12, 4, 0.7},
     {0.55, 0.3, 4, 0.9, 12, 8, 0.7},
     {0.55, 0.3, 4.5, 0.85, 12, 8, 0.65},
     {0.55, 0.3, 2.5, 0.85, 12, 12, 0.55}},
    {{0.1, 0.2, 1, 0.6, 8, 3, 0.95},
     {0.1, 0.2, 1, 0.5, 10, 4, 0.9},
     {0.15, 0.3, 1.75, 0.55, 10, 4, 0.9},
     {0.25, 0.3, 2.25, 0.6, 12, 6, 0.85},
     {0.3, 0.3, 1.25, 0.65, 14, 12, 0.8}}};

struct BlendRow {
  double image_weight;
  double layer_weight;
};
constexpr BlendRow kFrost[2][5] = {{{1, 0.4}, {0.8, 0.6}, {0.7, 0.7}, {0.65, 0.7}, {0.6, 0.75}},
                                   {{1, 0.2}, {1, 0.3}, {0.9, 0.4}, {0.85, 0.4}, {0.75, 0.45}}};

struct FogRow {
  double strength;
  double decay;  // plasma roughness: smaller is rougher
};
constexpr FogRow kFog[2][5] = {{{1.5, 2}, {2, 2}, {2.5, 1.7}, {2.5, 1.5}, {3, 1.4}},
                               {{0.2, 3}, {0.5, 3}, {0.75, 2.5}, {1, 2}, {1.5, 1.75}}};

struct SpatterRow {
  double mean;        // of the Gaussian liquid field
  double stddev;
  double sigma;       // smoothing of the field, reference pixels
  double threshold;   // field values below it are dry
  double intensity;   // water: colour gain; mud: smoothing of the mask (reference pixels)
  bool mud;           // false: water drops, true: mud splashes
};
constexpr SpatterRow kSpatter[2][5] = {
    {{0.65, 0.3, 4, 0.69, 0.6, false},
     {0.65, 0.3, 3, 0.68, 0.6, false},
     {0.65, 0.3, 2, 0.68, 0.5, false},
     {0.65, 0.3, 1, 0.65, 1.5, true},
     {0.67, 0.4, 1, 0.65, 1.5, true}},
    {{0.62, 0.1, 0.7, 0.7, 0.5, false},
     {0.65, 0.1, 0.8, 0.7, 0.5, false},
     {0.65, 0.3, 1, 0.69, 0.5, false},
     {0.65, 0.1, 0.7, 0.69, 0.6, true},
     {0.65, 0.1, 0.5, 0.68, 0.6, true}}};

// BGR colours in [0, 1].
constexpr float kWater[3] = {238 / 255.0f, 238 / 255.0f, 175 / 255.0f};  // pale turquoise
constexpr float kMud[3] = {20 / 255.0f, 42 / 255.0f, 63 / 255.0f};       // brown

// x + Σ_k mask·colour[k] on every pixel of a CV_32FC3 image, with mask CV_32F.
void add_tinted(cv::Mat& image, const cv::Mat& mask, const float (&colour)[3]) {
  for (int y = 0; y < image.rows; ++y) {
    auto* px = image.ptr<cv::Vec3f>(y);
    const float* m = mask.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x) {
      for (int c = 0; c < 3; ++c) {
        px[x][c] += m[x] * colour[c];
      }
    }
  }
}

cv::Mat water_spatter(const cv::Mat& image, cv::Mat liquid, const SpatterRow& row, double scale) {
  // Edges of the liquid become distance-shaded, embossed rims: the look of drops on a lens.
  cv::Mat liquid8;
  liquid.convertTo(liquid8, CV_8U, 255.0);
  cv::Mat edges;
  cv::Canny(liquid8, edges, 50, 150);
  cv::Mat dist;
  cv::distanceTransform(255 - edges, dist, cv::DIST_L2, 5);
  const double reach = std::max(1.0, 20.0 * scale);
  cv::threshold(dist, dist, reach, reach, cv::THRESH_TRUNC);
  cv::blur(dist, dist, cv::Size(3, 3));
  cv::Mat dist8;
  dist.convertTo(dist8, CV_8U);
  cv::equalizeHist(dist8, dist8);
  const cv::Matx33f emboss(-2, -1, 0, -1, 1, 1, 0, 1, 2);
  cv::filter2D(dist8, dist8, CV_8U, emboss);
  cv::Mat shade;
  dist8.convertTo(shade, CV_32F);
  cv::blur(shade, shade, cv::Size(3, 3));

  cv::Mat mask;
  cv::multiply(liquid8, shade, mask, 1.0, CV_32F);
  double peak = 0.0;
  cv::minMaxLoc(mask, nullptr, &peak);
  mask *= row.intensity / std::max(peak, 1e-12);
  cv::Mat out = image.clone();
  add_tinted(out, mask, kWater);
  return out;
}

cv::Mat mud_spatter(const cv::Mat& image, const cv::Mat& liquid, const SpatterRow& row,
                    double scale) {
  cv::Mat mask;
  cv::threshold(liquid, mask, row.threshold, 1.0, cv::THRESH_BINARY);
  mask = gaussian(mask, row.intensity * scale);
  cv::threshold(mask, mask, 0.8, 0.0, cv::THRESH_TOZERO);
  cv::Mat out(image.size(), image.type());
  for (int y = 0; y < image.rows; ++y) {
    const auto* src = image.ptr<cv::Vec3f>(y);
    auto* dst = out.ptr<cv::Vec3f>(y);
    const float* m = mask.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x) {
      for (int c = 0; c < 3; ++c) {
        dst[x][c] = src[x][c] * (1.0f - m[x]) + m[x] * kMud[c];
      }
    }
  }
  return out;
}
}  // namespace

cv::Mat snow(const cv::Mat& img, const CorruptionContext& ctx) {
  const SnowRow& row = ctx.pick(kSnow);
  cv::RNG rng(ctx.seed);
  cv::Mat flakes = normal_field(rng, img.size(), 1, row.mean, row.stddev);
  flakes = clipped_zoom(flakes, std::max(1.0, ctx.px(row.zoom)));
  cv::threshold(flakes, flakes, row.threshold, 0.0, cv::THRESH_TOZERO);
  const double angle = rng.uniform(-135.0, -45.0);
  const cv::Mat streaks = to_unit(
      motion_streak(to_u8(flakes), ctx.px(row.blur_radius), ctx.px(row.blur_sigma), angle));
  cv::Mat streaks_turned;
  cv::rotate(streaks, streaks_turned, cv::ROTATE_180);
  const cv::Mat fall = streaks + streaks_turned;

  // Snow-covered scenes are whiter: blend towards max(x, 1.5·gray + 0.5).
  const cv::Mat image = to_unit(img);
  cv::Mat gray;
  cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  const float w = static_cast<float>(row.image_weight);
  cv::Mat out(image.size(), image.type());
  for (int y = 0; y < image.rows; ++y) {
    const auto* src = image.ptr<cv::Vec3f>(y);
    const float* g = gray.ptr<float>(y);
    const float* f = fall.ptr<float>(y);
    auto* dst = out.ptr<cv::Vec3f>(y);
    for (int x = 0; x < image.cols; ++x) {
      const float whitened = 1.5f * g[x] + 0.5f;
      for (int c = 0; c < 3; ++c) {
        dst[x][c] = w * src[x][c] + (1.0f - w) * std::max(src[x][c], whitened) + f[x];
      }
    }
  }
  return to_u8(out);
}

cv::Mat frost(const cv::Mat& img, const CorruptionContext& ctx) {
  const BlendRow& row = ctx.pick(kFrost);
  cv::RNG rng(ctx.seed);
  const cv::Mat ice = frost_texture(img.size(), rng);
  cv::Mat out;
  cv::addWeighted(to_unit(img), row.image_weight, ice, row.layer_weight, 0.0, out);
  return to_u8(out);
}

// Adds a plasma haze and rescales so that the brightest input value stays the brightest output.
cv::Mat fog(const cv::Mat& img, const CorruptionContext& ctx) {
  const FogRow& row = ctx.pick(kFog);
  cv::RNG rng(ctx.seed);
  const cv::Mat haze = plasma_fractal(img.rows, img.cols, row.decay, rng);
  double max_value = 0.0;
  cv::minMaxLoc(img.reshape(1), nullptr, &max_value);
  max_value /= 255.0;
  const float gain = static_cast<float>(max_value / (max_value + row.strength));
  const float strength = static_cast<float>(row.strength) * 255.0f;
  const int cn = img.channels();
  cv::Mat out(img.size(), img.type());
  for (int y = 0; y < img.rows; ++y) {
    const uchar* src = img.ptr<uchar>(y);
    const float* h = haze.ptr<float>(y);
    uchar* dst = out.ptr<uchar>(y);
    for (int x = 0; x < img.cols; ++x) {
      const float add = strength * h[x];
      for (int c = 0; c < cn; ++c) {
        dst[x * cn + c] = cv::saturate_cast<uchar>((src[x * cn + c] + add) * gain);
      }
    }
  }
  return out;
}

cv::Mat spatter(const cv::Mat& img, const CorruptionContext& ctx) {
  const SpatterRow& row = ctx.pick(kSpatter);
  cv::RNG rng(ctx.seed);
  cv::Mat liquid = normal_field(rng, img.size(), 1, row.mean, row.stddev);
  liquid = gaussian(liquid, ctx.px(row.sigma));
  cv::threshold(liquid, liquid, row.threshold, 0.0, cv::THRESH_TOZERO);
  const cv::Mat image = to_unit(img);
  return to_u8(row.mud ? mud_spatter(image, liquid, row, ctx.scale)
                       : water_spatter(image, liquid, row, ctx.scale));
}

}  // namespace advbn::shift::detail
