#include "advbn/shift/corruptions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>

#include "advbn/error.h"
#include "shift/shift_test_util.h"

namespace advbn::shift {
namespace {

using testing::centred_abs_diff;
using testing::mean_abs_diff;
using testing::scene;

// Corruptions without any random draw: the seed cannot change their output.
const std::set<std::string> kDeterministic = {
    "defocus_blur", "zoom_blur", "brightness", "contrast", "pixelate", "jpeg_compression",
    "gaussian_blur", "saturate"};

TEST(CorruptionLists, NamesAndOrder) {
  const std::vector<std::string> common = {
      "gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur",
      "motion_blur", "zoom_blur", "snow", "frost", "fog", "brightness", "contrast",
      "elastic_transform", "pixelate", "jpeg_compression"};
  EXPECT_EQ(common_corruptions(), common);
  const std::vector<std::string> held_out = {"speckle_noise", "gaussian_blur", "spatter",
                                             "saturate"};
  EXPECT_EQ(held_out_corruptions(), held_out);
  ASSERT_EQ(all_corruptions().size(), 19u);
  EXPECT_TRUE(std::equal(common.begin(), common.end(), all_corruptions().begin()));
}

TEST(CorruptionPreset, Parse) {
  EXPECT_EQ(parse_preset("auto"), Preset::Auto);
  EXPECT_EQ(parse_preset("imagenet"), Preset::ImageNet);
  EXPECT_EQ(parse_preset("cifar"), Preset::Cifar);
  try {
    parse_preset("ImageNet-C");
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("ImageNet-C"), std::string::npos) << message;
    EXPECT_NE(message.find("auto, imagenet, cifar"), std::string::npos) << message;
  }
}

TEST(CorruptionPreset, AutoPicksTableBySize) {
  const cv::Mat small = scene(32, 32);
  const cv::Mat large = scene(224, 224);
  for (const char* name : {"gaussian_noise", "contrast", "motion_blur"}) {
    EXPECT_EQ(mean_abs_diff(corrupt(small, name, 3, 5), corrupt(small, name, 3, 5, Preset::Cifar)),
              0.0)
        << name;
    EXPECT_EQ(
        mean_abs_diff(corrupt(large, name, 3, 5), corrupt(large, name, 3, 5, Preset::ImageNet)),
        0.0)
        << name;
    EXPECT_GT(
        mean_abs_diff(corrupt(small, name, 3, 5, Preset::ImageNet), corrupt(small, name, 3, 5)),
        0.0)
        << name;
  }
}

void expect_error_mentions(const std::function<void()>& call,
                           const std::vector<std::string>& fragments) {
  try {
    call();
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "'" << fragment << "' missing from: " << message;
    }
  }
}

TEST(CorruptionErrors, BadArgumentsAreNamed) {
  const cv::Mat img = scene(32, 32);
  expect_error_mentions([&] { corrupt(img, "rain", 1, 0); }, {"rain", "gaussian_noise", "saturate"});
  expect_error_mentions([&] { corrupt(img, "fog", 0, 0); }, {"0", "1, 2, 3, 4, 5"});
  expect_error_mentions([&] { corrupt(img, "fog", 6, 0); }, {"6", "1, 2, 3, 4, 5"});
  expect_error_mentions([&] { corrupt(cv::Mat(32, 7, CV_8UC3, cv::Scalar(0)), "fog", 1, 0); }, {"7x32", "8"});
  expect_error_mentions([&] { corrupt(cv::Mat(), "fog", 1, 0); }, {"empty"});
  expect_error_mentions([&] { corrupt(cv::Mat(16, 16, CV_32FC3, cv::Scalar(0)), "fog", 1, 0); },
                        {"CV_32FC3", "CV_8UC1", "CV_8UC3"});
  expect_error_mentions([&] { corrupt(cv::Mat(16, 16, CV_8UC4, cv::Scalar(0)), "fog", 1, 0); },
                        {"CV_8UC4"});
}

TEST(CorruptionInput, NonContinuousRegionMatchesCopy) {
  const cv::Mat big = scene(96, 96);
  const cv::Mat roi = big(cv::Rect(10, 12, 64, 48));
  ASSERT_FALSE(roi.isContinuous());
  for (const std::string& name : all_corruptions()) {
    EXPECT_EQ(mean_abs_diff(corrupt(roi, name, 2, 9), corrupt(roi.clone(), name, 2, 9)), 0.0)
        << name;
  }
}

class EveryCorruption : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryCorruption, KeepsSizeAndType) {
  const std::string& name = GetParam();
  const std::vector<cv::Mat> images = {scene(224, 224), scene(28, 28, true), scene(8, 8),
                                       scene(8, 8, true), scene(40, 24), scene(100, 70, true)};
  for (const cv::Mat& img : images) {
    for (int severity = 1; severity <= 5; ++severity) {
      const cv::Mat out = corrupt(img, name, severity, 3);
      EXPECT_EQ(out.size(), img.size()) << name << " severity " << severity;
      EXPECT_EQ(out.type(), img.type()) << name << " severity " << severity;
    }
  }
}

TEST_P(EveryCorruption, DeterministicForASeed) {
  const std::string& name = GetParam();
  for (const cv::Mat& img : {scene(224, 224), scene(28, 28, true)}) {
    const cv::Mat a = corrupt(img, name, 3, 42);
    const cv::Mat b = corrupt(img, name, 3, 42);
    EXPECT_EQ(mean_abs_diff(a, b), 0.0) << name;
    const cv::Mat other = corrupt(img, name, 3, 43);
    if (kDeterministic.count(name) != 0) {
      EXPECT_EQ(mean_abs_diff(a, other), 0.0) << name;
    } else {
      EXPECT_GT(mean_abs_diff(a, other), 0.0) << name << " ignores its seed";
    }
  }
}

TEST_P(EveryCorruption, ChangesTheImage) {
  const std::string& name = GetParam();
  for (const cv::Mat& img : {scene(224, 224), scene(32, 32), scene(28, 28, true)}) {
    // CIFAR's saturate severities 1..3 only rescale saturation, which a gray image has none of.
    const int first = name == "saturate" && img.channels() == 1 ? 4 : 1;
    for (int severity = first; severity <= 5; ++severity) {
      EXPECT_GT(mean_abs_diff(corrupt(img, name, severity, 1), img), 0.1)
          << name << " severity " << severity << " at " << img.cols << " px";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shift, EveryCorruption, ::testing::ValuesIn(all_corruptions()),
                         [](const auto& info) { return info.param; });

// Severity order: mean absolute distance from the clean image should not fall as severity rises.
// Where a published table is not ordered by pixel distance, the test states what is ordered.
using Distances = std::array<double, 5>;

Distances distances(const cv::Mat& clean, const std::string& name, Preset preset,
                    std::uint64_t seed, bool centred = false) {
  Distances d{};
  for (int s = 1; s <= 5; ++s) {
    const cv::Mat out = corrupt(clean, name, s, seed, preset);
    d[s - 1] = centred ? centred_abs_diff(out, clean) : mean_abs_diff(out, clean);
  }
  return d;
}

std::string show(const Distances& d) {
  std::string out;
  for (double v : d) out += std::to_string(v) + " ";
  return out;
}

// d[first..last] (severities, 1-based) non-decreasing, allowing each step to fall by `slack`·d.
void expect_ordered(const Distances& d, int first, int last, double slack, const std::string& what) {
  for (int s = first; s < last; ++s) {
    EXPECT_GE(d[s], d[s - 1] * (1.0 - slack))
        << what << ": severity " << s + 1 << " is closer to the clean image than severity " << s
        << " (" << show(d) << ")";
  }
}

struct OrderCase {
  Preset preset;
  int side;
};

class SeverityOrder : public ::testing::TestWithParam<std::tuple<std::string, OrderCase>> {};

TEST_P(SeverityOrder, DistanceGrowsWithSeverity) {
  const auto& [name, order_case] = GetParam();
  const bool imagenet = order_case.preset == Preset::ImageNet;
  const cv::Mat clean = scene(order_case.side, order_case.side);
  for (std::uint64_t seed : {1u, 2u}) {
    const std::string what = name + (imagenet ? " (imagenet" : " (cifar") + ", seed " +
                             std::to_string(seed) + ")";
    const Distances d = distances(clean, name, order_case.preset, seed);
    if (name == "frost") {
      // The image weight falls while bright ice is added, and in plain distance the darkening
      // partly cancels the ice. Without each image's mean, the ice's growing share shows.
      const Distances centred = distances(clean, name, order_case.preset, seed, true);
      expect_ordered(centred, 1, 5, 0.0, what + " without means");
    } else if (name == "fog") {
      // ImageNet severities 3 and 4 share a strength and differ only in plasma roughness.
      expect_ordered(d, 1, 3, 0.0, what);
      expect_ordered(d, 4, 5, 0.0, what);
      EXPECT_GT(d[4], d[0]) << what;
    } else if (name == "elastic_transform") {
      if (imagenet) {
        // Severities 1-2 are large smooth warps, 3-5 a small affine plus local jitter.
        expect_ordered(d, 1, 2, 0.0, what);
        expect_ordered(d, 3, 5, 0.0, what);
      } else {
        // CIFAR-10-C shrinks the affine jitter as the local displacement grows, so pixel
        // distance falls; every severity must still move the image.
        for (double v : d) EXPECT_GT(v, 1.0) << what;
      }
    } else if (name == "glass_blur" && !imagenet) {
      // CIFAR-10-C pairs one swap pass with rising blur (which pulls swapped pixels back towards
      // the original), then two passes: the order holds between passes, not within them.
      EXPECT_GE(std::min(d[3], d[4]), std::max({d[0], d[1], d[2]})) << what << ": " << show(d);
    } else if (name == "spatter") {
      // Severities 1-3 are water drops, 4-5 mud: two different effects, each ordered.
      expect_ordered(d, 1, 3, 0.0, what);
      expect_ordered(d, 4, 5, 0.0, what);
    } else if (name == "saturate") {
      // Factors 0.3, 0.1 desaturate, then 2, 5, 20 (CIFAR 1.5, 2, 2.5) oversaturate.
      expect_ordered(d, 1, 2, 0.0, what);
      expect_ordered(d, 3, 5, 0.0, what);
    } else if (name == "pixelate" || name == "snow") {
      // Pixelate: box resampling at nearby ratios can land on a friendlier grid (224 → 112 is
      // an exact halving). Snow: ImageNet severities 2 and 3 trade many small flakes for fewer
      // large ones at the same whitening. Both are ordered within a few percent.
      expect_ordered(d, 1, 5, 0.05, what);
      EXPECT_GT(d[4], d[0]) << what;
    } else {
      expect_ordered(d, 1, 5, 0.0, what);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shift, SeverityOrder,
    ::testing::Combine(::testing::ValuesIn(all_corruptions()),
                       ::testing::Values(OrderCase{Preset::ImageNet, 224},
                                         OrderCase{Preset::Cifar, 32})),
    [](const auto& info) {
      return std::get<0>(info.param) +
             (std::get<1>(info.param).preset == Preset::ImageNet ? "_imagenet" : "_cifar");
    });

}  // namespace
}  // namespace advbn::shift

namespace advbn::shift {
namespace {

// On a flat mid-gray image the noise corruptions must show the distributions of their tables.
class NoiseStatistics : public ::testing::Test {
 protected:
  const cv::Mat flat = cv::Mat(224, 224, CV_8UC3, cv::Scalar::all(128));
  static void mean_std(const cv::Mat& img, double& mean, double& stddev) {
    cv::Scalar m, s;
    cv::meanStdDev(img.reshape(1), m, s);
    mean = m[0];
    stddev = s[0];
  }
};

TEST_F(NoiseStatistics, GaussianHasTheTableSigma) {
  double mean = 0, stddev = 0;
  mean_std(corrupt(flat, "gaussian_noise", 1, 7, Preset::ImageNet), mean, stddev);
  EXPECT_NEAR(mean, 128.0, 0.5);
  EXPECT_NEAR(stddev, 0.08 * 255, 0.02 * 0.08 * 255);
}

TEST_F(NoiseStatistics, ShotIsPoisson) {
  // Rate 60: counts ~ Poisson(60 · 128/255), scaled back by 255/60.
  const double lambda = 60.0 * 128.0 / 255.0;
  double mean = 0, stddev = 0;
  mean_std(corrupt(flat, "shot_noise", 1, 7, Preset::ImageNet), mean, stddev);
  EXPECT_NEAR(mean, lambda * 255.0 / 60.0, 0.5);
  EXPECT_NEAR(stddev, std::sqrt(lambda) * 255.0 / 60.0, 0.02 * std::sqrt(lambda) * 255.0 / 60.0);
}

TEST_F(NoiseStatistics, ImpulseReplacesTheTableFraction) {
  const cv::Mat out = corrupt(flat, "impulse_noise", 5, 7, Preset::ImageNet);
  const cv::Mat samples = out.reshape(1);
  const double n = static_cast<double>(samples.total());
  const double salt = cv::countNonZero(samples == 255) / n;
  const double pepper = cv::countNonZero(samples == 0) / n;
  EXPECT_NEAR(salt, 0.27 / 2, 0.005);
  EXPECT_NEAR(pepper, 0.27 / 2, 0.005);
  EXPECT_NEAR(cv::countNonZero(samples == 128) / n, 1.0 - 0.27, 0.005);
}

TEST_F(NoiseStatistics, SpeckleScalesWithIntensity) {
  double mean = 0, stddev = 0;
  mean_std(corrupt(flat, "speckle_noise", 1, 7, Preset::ImageNet), mean, stddev);
  EXPECT_NEAR(stddev, 0.15 * 128, 0.02 * 0.15 * 128);
}

TEST(CorruptionValues, ContrastAndBrightnessFollowTheirFormulas) {
  cv::Mat img(16, 16, CV_8UC1);
  img(cv::Rect(0, 0, 16, 8)).setTo(100);
  img(cv::Rect(0, 8, 16, 8)).setTo(200);
  // Mean 150, factor .4: 100 → 130, 200 → 170.
  const cv::Mat c = corrupt(img, "contrast", 1, 0, Preset::ImageNet);
  EXPECT_EQ(c.at<uchar>(0, 0), 130);
  EXPECT_EQ(c.at<uchar>(15, 0), 170);
  // HSV value + .5 on a pure colour keeps the hue: (0, 0, 100) in BGR → (0, 0, 228).
  const cv::Mat red(8, 8, CV_8UC3, cv::Scalar(0, 0, 100));
  EXPECT_EQ(corrupt(red, "brightness", 5, 0, Preset::ImageNet).at<cv::Vec3b>(0, 0),
            cv::Vec3b(0, 0, 228));
}

}  // namespace
}  // namespace advbn::shift
