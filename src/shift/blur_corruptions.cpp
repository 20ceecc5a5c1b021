// Blur corruptions: defocus (disk), glass (blur + local pixel swaps), motion, zoom, gaussian.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "clipped_zoom.h"
#include "corruption_context.h"
#include "motion_streak.h"
#include "pixel_math.h"

namespace advbn::shift::detail {

namespace {
struct DefocusRow {
  double radius;       // reference pixels
  double alias_sigma;  // anti-aliasing blur of the disk kernel itself
};
constexpr DefocusRow kDefocus[2][5] = {
    {{3, 0.1}, {4, 0.5}, {6, 0.5}, {8, 0.5}, {10, 0.5}},
    {{0.3, 0.4}, {0.4, 0.5}, {0.5, 0.6}, {1, 0.2}, {1.5, 0.1}}};

struct GlassRow {
  double sigma;  // reference pixels
  int max_delta;  // reference pixels
  int iterations;
};
constexpr GlassRow kGlass[2][5] = {
    {{0.7, 1, 2}, {0.9, 2, 1}, {1.0, 2, 3}, {1.1, 3, 2}, {1.5, 4, 2}},
    {{0.05, 1, 1}, {0.25, 1, 1}, {0.4, 1, 1}, {0.25, 1, 2}, {0.4, 1, 2}}};

struct MotionRow {
  double radius;  // reference pixels
  double sigma;   // reference pixels
};
constexpr MotionRow kMotion[2][5] = {{{10, 3}, {15, 5}, {15, 8}, {15, 12}, {20, 15}},
                                     {{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}}};

// Zoom factors 1, 1+step, … : `count` is the length of NumPy's arange(1, stop, step) in the
// original tables, which includes the stop value when rounding pushes it in (stop 1.11 → 12).
struct ZoomRow {
  double step;
  int count;
};
constexpr ZoomRow kZoom[2][5] = {{{0.01, 12}, {0.01, 16}, {0.02, 11}, {0.02, 13}, {0.03, 11}},
                                 {{0.01, 7}, {0.01, 12}, {0.01, 16}, {0.01, 21}, {0.01, 26}}};

constexpr double kGaussianBlurSigma[2][5] = {{1, 2, 3, 4, 6}, {0.4, 0.6, 0.7, 0.8, 1.0}};

// ImageNet-C's disk(): an aliased disk on a grid of at least 17×17, normalised, then smoothed by a
// small Gaussian.
cv::Mat disk_kernel(double radius, double alias_sigma) {
  const bool large = radius > 8.0;
  const int half = large ? static_cast<int>(std::ceil(radius)) : 8;
  cv::Mat disk(2 * half + 1, 2 * half + 1, CV_32F, cv::Scalar(0));
  for (int y = -half; y <= half; ++y) {
    for (int x = -half; x <= half; ++x) {
      if (x * x + y * y <= radius * radius) {
        disk.at<float>(y + half, x + half) = 1.0f;
      }
    }
  }
  disk /= std::max(1.0, cv::sum(disk)[0]);
  const int alias_size = large ? 5 : 3;
  cv::GaussianBlur(disk, disk, cv::Size(alias_size, alias_size), alias_sigma);
  return disk;
}

// The kernel at another resolution: kernel(x / scale), bilinearly interpolated and renormalised.
// Rebuilding the aliased disk at radius·scale instead would jump between whole-pixel disks (a
// radius of 0.9 px is no blur at all), so severities would stop being ordered below the table's
// reference size. Rows and columns that are exactly zero are trimmed so small kernels stay cheap.
cv::Mat rescale_kernel(const cv::Mat& kernel, double scale) {
  cv::Mat out = kernel;
  if (scale != 1.0) {
    const int half_in = kernel.rows / 2;
    const int half_out = std::max(1, static_cast<int>(std::ceil(half_in * scale)));
    const double inv = 1.0 / scale;
    const cv::Matx23d inverse(inv, 0.0, half_in - half_out * inv, 0.0, inv, half_in - half_out * inv);
    cv::warpAffine(kernel, out, inverse, cv::Size(2 * half_out + 1, 2 * half_out + 1),
                   cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar(0));
    out /= cv::sum(out)[0];
  }
  const int half = out.rows / 2;
  int reach = 0;  // largest offset from the centre with a non-zero weight
  for (int y = 0; y < out.rows; ++y) {
    for (int x = 0; x < out.cols; ++x) {
      if (out.at<float>(y, x) != 0.0f) {
        reach = std::max({reach, std::abs(y - half), std::abs(x - half)});
      }
    }
  }
  return out(cv::Rect(half - reach, half - reach, 2 * reach + 1, 2 * reach + 1)).clone();
}

// The original shuffles pixels with sequential swaps in interpreted Python (tens of seconds per
// image); the same swaps in order, in a native loop, take well under a millisecond. Offsets are
// drawn from [-delta, delta), the original's half-open range.
void shuffle_locally(cv::Mat& img, int delta, int iterations, cv::RNG& rng) {
  const int cn = img.channels();
  for (int it = 0; it < iterations; ++it) {
    for (int y = img.rows - delta; y > delta; --y) {
      for (int x = img.cols - delta; x > delta; --x) {
        const int dx = rng.uniform(-delta, delta);
        const int dy = rng.uniform(-delta, delta);
        uchar* a = img.ptr<uchar>(y) + x * cn;
        uchar* b = img.ptr<uchar>(y + dy) + (x + dx) * cn;
        for (int c = 0; c < cn; ++c) {
          std::swap(a[c], b[c]);
        }
      }
    }
  }
}
}  // namespace

cv::Mat defocus_blur(const cv::Mat& img, const CorruptionContext& ctx) {
  const DefocusRow& row = ctx.pick(kDefocus);
  cv::Mat out;
  cv::filter2D(img, out, -1, rescale_kernel(disk_kernel(row.radius, row.alias_sigma), ctx.scale));
  return out;
}

cv::Mat glass_blur(const cv::Mat& img, const CorruptionContext& ctx) {
  const GlassRow& row = ctx.pick(kGlass);
  cv::RNG rng(ctx.seed);
  const double sigma = ctx.px(row.sigma);
  const int delta = std::max(1, static_cast<int>(std::lround(ctx.px(row.max_delta))));
  cv::Mat shuffled = gaussian(img, sigma);
  shuffle_locally(shuffled, delta, row.iterations, rng);
  return gaussian(shuffled, sigma);
}

cv::Mat motion_blur(const cv::Mat& img, const CorruptionContext& ctx) {
  const MotionRow& row = ctx.pick(kMotion);
  cv::RNG rng(ctx.seed);
  const double angle = rng.uniform(-45.0, 45.0);
  return motion_streak(img, ctx.px(row.radius), ctx.px(row.sigma), angle);
}

// Mean of the image and its zoomed copies, accumulated in 16 bits (at most 27 · 255).
cv::Mat zoom_blur(const cv::Mat& img, const CorruptionContext& ctx) {
  const ZoomRow& row = ctx.pick(kZoom);
  const std::size_t n = img.total() * static_cast<std::size_t>(img.channels());
  std::vector<std::uint16_t> sum(img.ptr<uchar>(), img.ptr<uchar>() + n);
  // Factor 1 leaves the image unchanged, so it is added once more instead of warped.
  for (std::size_t i = 0; i < n; ++i) {
    sum[i] = static_cast<std::uint16_t>(2 * sum[i]);
  }
  for (int k = 1; k < row.count; ++k) {
    const cv::Mat zoomed = clipped_zoom(img, 1.0 + k * row.step);
    const uchar* z = zoomed.ptr<uchar>();
    for (std::size_t i = 0; i < n; ++i) {
      sum[i] = static_cast<std::uint16_t>(sum[i] + z[i]);
    }
  }
  cv::Mat out(img.size(), img.type());
  uchar* dst = out.ptr<uchar>();
  const float inv = 1.0f / static_cast<float>(row.count + 1);
  for (std::size_t i = 0; i < n; ++i) {
    dst[i] = cv::saturate_cast<uchar>(static_cast<float>(sum[i]) * inv);
  }
  return out;
}

cv::Mat gaussian_blur(const cv::Mat& img, const CorruptionContext& ctx) {
  return gaussian(img, ctx.px(ctx.pick(kGaussianBlurSigma)));
}

}  // namespace advbn::shift::detail
