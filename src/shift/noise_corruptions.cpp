// Noise corruptions: gaussian, shot (Poisson), impulse (salt and pepper), speckle.
#include <algorithm>
#include <cmath>
#include <vector>

#include "corruption_context.h"
#include "pixel_math.h"
#include "random_fields.h"

namespace advbn::shift::detail {

namespace {
// Rows: ImageNet-C, CIFAR-10-C; columns: severities 1..5.
constexpr double kGaussianSigma[2][5] = {{0.08, 0.12, 0.18, 0.26, 0.38},
                                         {0.04, 0.06, 0.08, 0.09, 0.10}};
constexpr int kShotRate[2][5] = {{60, 25, 12, 5, 3}, {500, 250, 100, 75, 50}};
constexpr double kImpulseAmount[2][5] = {{0.03, 0.06, 0.09, 0.17, 0.27},
                                         {0.01, 0.02, 0.03, 0.05, 0.07}};
constexpr double kSpeckleSigma[2][5] = {{0.15, 0.20, 0.35, 0.45, 0.60},
                                        {0.06, 0.10, 0.12, 0.16, 0.20}};

std::size_t sample_count(const cv::Mat& img) {
  return img.total() * static_cast<std::size_t>(img.channels());
}
}  // namespace

cv::Mat gaussian_noise(const cv::Mat& img, const CorruptionContext& ctx) {
  cv::RNG rng(ctx.seed);
  const double sigma = ctx.pick(kGaussianSigma) * 255.0;
  return add_noise(img, normal_field(rng, img.size(), img.channels(), 0.0, sigma));
}

// The output is min(Poisson(rate·v/255), rate)/rate·255, so only counts below `rate` need a
// distribution: each input value v gets an inverse-CDF table of `rate` entries, built the first
// time v occurs, and a sample is one uniform draw. A guide table (Chen and Asau's indexed search)
// gives, for each 1/kGuide slice of [0, 1), the smallest count that slice can map to, so the
// search forward from it takes about one step. Exact, and independent of the image size, unlike a
// Poisson sampler per pixel.
cv::Mat shot_noise(const cv::Mat& img, const CorruptionContext& ctx) {
  constexpr int kGuide = 64;
  cv::RNG rng(ctx.seed);
  const int rate = ctx.pick(kShotRate);
  const cv::Mat uniforms = uniform_field(rng, img.size(), img.channels(), 0.0, 1.0);

  std::vector<float> cdf(static_cast<std::size_t>(256) * rate);
  std::vector<int> guide(static_cast<std::size_t>(256) * kGuide);
  bool built[256] = {};
  const auto build = [&](int value) {
    const double lambda = rate * value / 255.0;
    double p = std::exp(-lambda);
    double cumulative = 0.0;
    float* row = cdf.data() + static_cast<std::size_t>(value) * rate;
    for (int k = 0; k < rate; ++k) {
      cumulative += p;
      row[k] = static_cast<float>(cumulative);
      p *= lambda / (k + 1);
    }
    int* start = guide.data() + static_cast<std::size_t>(value) * kGuide;
    int k = 0;
    for (int j = 0; j < kGuide; ++j) {
      while (k < rate && row[k] <= static_cast<float>(j) / kGuide) ++k;
      start[j] = k;
    }
    built[value] = true;
  };

  cv::Mat out(img.size(), img.type());
  const uchar* src = img.ptr<uchar>();
  const float* u = uniforms.ptr<float>();
  uchar* dst = out.ptr<uchar>();
  const float to_pixel = 255.0f / static_cast<float>(rate);
  for (std::size_t i = 0, n = sample_count(img); i < n; ++i) {
    const int value = src[i];
    if (!built[value]) {
      build(value);
    }
    const float* row = cdf.data() + static_cast<std::size_t>(value) * rate;
    const int slice = std::min(kGuide - 1, static_cast<int>(u[i] * kGuide));
    int count = guide[static_cast<std::size_t>(value) * kGuide + slice];  // rate: ≥ rate
    while (count < rate && row[count] <= u[i]) ++count;
    dst[i] = cv::saturate_cast<uchar>(static_cast<float>(count) * to_pixel);
  }
  return out;
}

// scikit-image's 's&p' mode: each sample is replaced with probability `amount`, by 0 or 255 with
// equal odds.
cv::Mat impulse_noise(const cv::Mat& img, const CorruptionContext& ctx) {
  cv::RNG rng(ctx.seed);
  const float amount = static_cast<float>(ctx.pick(kImpulseAmount));
  const cv::Mat uniforms = uniform_field(rng, img.size(), img.channels(), 0.0, 1.0);
  cv::Mat out = img.clone();
  const float* u = uniforms.ptr<float>();
  uchar* dst = out.ptr<uchar>();
  for (std::size_t i = 0, n = sample_count(img); i < n; ++i) {
    if (u[i] < amount) {
      dst[i] = u[i] < 0.5f * amount ? 255 : 0;
    }
  }
  return out;
}

// Multiplicative noise: x + x·N(0, sigma²).
cv::Mat speckle_noise(const cv::Mat& img, const CorruptionContext& ctx) {
  cv::RNG rng(ctx.seed);
  cv::Mat noise = normal_field(rng, img.size(), img.channels(), 0.0, ctx.pick(kSpeckleSigma));
  const uchar* src = img.ptr<uchar>();
  float* n = noise.ptr<float>();
  for (std::size_t i = 0, count = sample_count(img); i < count; ++i) {
    n[i] *= static_cast<float>(src[i]);
  }
  return add_noise(img, noise);
}

}  // namespace advbn::shift::detail
