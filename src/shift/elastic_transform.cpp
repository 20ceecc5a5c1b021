// Elastic transform: a random affine warp followed by a smooth random displacement field
// (Simard et al.), with ImageNet-C's parameters.
#include <opencv2/imgproc.hpp>

#include <cmath>

#include "corruption_context.h"
#include "pixel_math.h"
#include "random_fields.h"

namespace advbn::shift::detail {

namespace {
struct ElasticRow {
  double alpha;   // displacement gain, reference pixels
  double sigma;   // smoothness of the displacement field, reference pixels
  double affine;  // corner jitter of the affine warp, reference pixels
};
// ImageNet-C's table is written in multiples of 244 (meant as 224); kept as published.
constexpr ElasticRow kElastic[2][5] = {
    {{244 * 2.0, 244 * 0.7, 244 * 0.1},
     {244 * 2.0, 244 * 0.08, 244 * 0.2},
     {244 * 0.05, 244 * 0.01, 244 * 0.02},
     {244 * 0.07, 244 * 0.01, 244 * 0.02},
     {244 * 0.12, 244 * 0.01, 244 * 0.02}},
    {{32 * 0.0, 32 * 0.0, 32 * 0.08},
     {32 * 0.05, 32 * 0.2, 32 * 0.07},
     {32 * 0.08, 32 * 0.06, 32 * 0.06},
     {32 * 0.1, 32 * 0.04, 32 * 0.05},
     {32 * 0.1, 32 * 0.03, 32 * 0.03}}};

// Beyond this sigma a direct blur costs O(sigma) per pixel for a field with no detail at the
// pixel scale, so the field is blurred from block means at reduced resolution instead: the block
// means keep the noise's low frequencies and variance per area, which is all the blur keeps.
constexpr double kDirectBlurMaxSigma = 8.0;
constexpr double kTruncate = 3.0;  // ImageNet-C blurs the field with truncate=3

// U(-1, 1) noise smoothed by a Gaussian of `sigma` with mirrored borders (SciPy's 'reflect').
cv::Mat smooth_noise(cv::RNG& rng, cv::Size size, double sigma) {
  const cv::Mat noise = uniform_field(rng, size, 1, -1.0, 1.0);
  if (sigma <= kDirectBlurMaxSigma) {
    return gaussian(noise, sigma, kTruncate, cv::BORDER_REFLECT);
  }
  const int block = static_cast<int>(sigma / (kDirectBlurMaxSigma / 2));
  const cv::Size reduced((size.width + block - 1) / block, (size.height + block - 1) / block);
  cv::Mat small;
  cv::resize(noise, small, reduced, 0, 0, cv::INTER_AREA);
  small = gaussian(small, sigma / block, kTruncate, cv::BORDER_REFLECT);
  cv::Mat field;
  cv::resize(small, field, size, 0, 0, cv::INTER_LINEAR);
  return field;
}

// Mirrors a coordinate into [-0.5, n - 0.5], reflecting about the outer pixel edges.
float reflect(float x, int n) {
  const float period = 2.0f * static_cast<float>(n);
  float t = std::fmod(x + 0.5f, period);
  if (t < 0.0f) {
    t += period;
  }
  if (t > static_cast<float>(n)) {
    t = period - t;
  }
  return t - 0.5f;
}
}  // namespace

// The affine warp and the displacement are composed into one map and one bilinear resampling,
// where ImageNet-C resamples twice; the composition is the same geometric transform.
cv::Mat elastic_transform(const cv::Mat& img, const CorruptionContext& ctx) {
  const ElasticRow& row = ctx.pick(kElastic);
  cv::RNG rng(ctx.seed);
  const int rows = img.rows;
  const int cols = img.cols;

  const float cx = static_cast<float>(cols / 2);
  const float cy = static_cast<float>(rows / 2);
  const float half = static_cast<float>(std::min(rows, cols) / 3);
  const cv::Point2f from[3] = {
      {cx + half, cy + half}, {cx + half, cy - half}, {cx - half, cy - half}};
  cv::Point2f to[3];
  const float jitter = static_cast<float>(ctx.px(row.affine));
  for (int i = 0; i < 3; ++i) {
    to[i].x = from[i].x + rng.uniform(-jitter, jitter);
    to[i].y = from[i].y + rng.uniform(-jitter, jitter);
  }
  cv::Matx23d inverse;
  cv::invertAffineTransform(cv::getAffineTransform(from, to), inverse);

  const double alpha = ctx.px(row.alpha);
  cv::Mat dx = cv::Mat::zeros(img.size(), CV_32F);
  cv::Mat dy = cv::Mat::zeros(img.size(), CV_32F);
  if (alpha > 0.0) {
    const double sigma = ctx.px(row.sigma);
    dx = smooth_noise(rng, img.size(), sigma) * alpha;
    dy = smooth_noise(rng, img.size(), sigma) * alpha;
  }

  cv::Mat map_x(img.size(), CV_32F);
  cv::Mat map_y(img.size(), CV_32F);
  const auto m = [&](int r, int c) { return static_cast<float>(inverse(r, c)); };
  for (int y = 0; y < rows; ++y) {
    const float* ddx = dx.ptr<float>(y);
    const float* ddy = dy.ptr<float>(y);
    float* mx = map_x.ptr<float>(y);
    float* my = map_y.ptr<float>(y);
    for (int x = 0; x < cols; ++x) {
      const float px = reflect(static_cast<float>(x) + ddx[x], cols);
      const float py = reflect(static_cast<float>(y) + ddy[x], rows);
      mx[x] = m(0, 0) * px + m(0, 1) * py + m(0, 2);
      my[x] = m(1, 0) * px + m(1, 1) * py + m(1, 2);
    }
  }
  cv::Mat out;
  cv::remap(img, out, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  return out;
}

}  // namespace advbn::shift::detail
