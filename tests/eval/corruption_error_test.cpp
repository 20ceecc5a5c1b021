// CE, mCE, relative mCE and the plain mean corruption error against hand-computed figures.
#include <gtest/gtest.h>

#include <algorithm>

#include "advbn/error.h"
#include "advbn/eval/corruption_error.h"
#include "advbn/shift/corruptions.h"

namespace advbn {
namespace {

void expect_error_naming(const CorruptionErrors& errors, std::optional<double> clean,
                         const std::string& needle) {
  try {
    score_corruptions(errors, clean);
    ADD_FAILURE() << "no error for " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(CorruptionError, HandComputedPartialResult) {
  // gaussian_noise: mean 0.7; brightness: mean 0.35; saturate (held-out): mean 0.2.
  const CorruptionErrors errors{
      {"gaussian_noise", {{1, 0.5}, {2, 0.6}, {3, 0.7}, {4, 0.8}, {5, 0.9}}},
      {"brightness", {{1, 0.3}, {3, 0.4}}},
      {"saturate", {{2, 0.2}}},
  };
  const auto scores = score_corruptions(errors, 0.25);
  // CE = 0.7 / 0.886428 and 0.35 / 0.564592.
  EXPECT_NEAR(scores.ce.at("gaussian_noise"), 78.96862463730838, 1e-9);
  EXPECT_NEAR(scores.ce.at("brightness"), 61.991668319777816, 1e-9);
  EXPECT_EQ(scores.ce.count("saturate"), 0u);
  EXPECT_NEAR(*scores.mce, 70.4801464785431, 1e-9);
  // Relative CE = (0.7 − 0.25) / (0.886428 − 0.4348) and (0.35 − 0.25) / (0.564592 − 0.4348).
  EXPECT_NEAR(scores.relative_ce.at("gaussian_noise"), 99.63952633583392, 1e-9);
  EXPECT_NEAR(scores.relative_ce.at("brightness"), 77.04635108481263, 1e-9);
  EXPECT_NEAR(*scores.relative_mce, 88.34293871032327, 1e-9);
  // Mean error over common corruptions: (70 + 35) / 2; held-out apart.
  EXPECT_NEAR(scores.mean_error.at("gaussian_noise"), 70.0, 1e-12);
  EXPECT_NEAR(scores.mean_error.at("saturate"), 20.0, 1e-12);
  EXPECT_NEAR(*scores.mean_error_common, 52.5, 1e-12);
  EXPECT_NEAR(*scores.mean_error_held_out, 20.0, 1e-12);

  EXPECT_FALSE(scores.complete);
  ASSERT_FALSE(scores.missing.empty());
  EXPECT_EQ(scores.missing[0], "shot_noise");  // ImageNet-C order; gaussian_noise is whole
  const auto& missing = scores.missing;
  for (const char* entry : {"brightness/2", "brightness/4", "brightness/5", "fog"}) {
    EXPECT_NE(std::find(missing.begin(), missing.end(), entry), missing.end()) << entry;
  }
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "brightness/1"), missing.end());
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "saturate"), missing.end());
}

TEST(CorruptionError, AlexNetItselfScoresOneHundred) {
  CorruptionErrors errors;
  for (const auto& [name, alexnet] : alexnet_corruption_errors()) {
    for (int s = 1; s <= 5; ++s) errors[name][s] = alexnet;
  }
  ASSERT_EQ(errors.size(), 15u);
  const auto scores = score_corruptions(errors, kAlexNetCleanError);
  EXPECT_TRUE(scores.complete);
  EXPECT_TRUE(scores.missing.empty());
  EXPECT_NEAR(*scores.mce, 100.0, 1e-9);
  EXPECT_NEAR(*scores.relative_mce, 100.0, 1e-9);
  // Mean of the 15 AlexNet errors: 11.834896 / 15.
  EXPECT_NEAR(*scores.mean_error_common, 78.899306666666667, 1e-9);
  EXPECT_FALSE(scores.mean_error_held_out.has_value());
}

TEST(CorruptionError, NormalisersCoverTheCommonCorruptions) {
  const auto& table = alexnet_corruption_errors();
  EXPECT_EQ(table.size(), shift::common_corruptions().size());
  for (const auto& name : shift::common_corruptions()) EXPECT_EQ(table.count(name), 1u) << name;
  EXPECT_DOUBLE_EQ(table.at("jpeg_compression"), 0.606500);
}

TEST(CorruptionError, WithoutCleanErrorOrCommonCorruptions) {
  const auto no_clean = score_corruptions({{"fog", {{1, 0.5}}}});
  EXPECT_TRUE(no_clean.mce.has_value());
  EXPECT_FALSE(no_clean.relative_mce.has_value());
  EXPECT_TRUE(no_clean.relative_ce.empty());

  const auto held_out_only = score_corruptions({{"spatter", {{1, 0.5}}}}, 0.1);
  EXPECT_FALSE(held_out_only.mce.has_value());
  EXPECT_FALSE(held_out_only.relative_mce.has_value());
  EXPECT_FALSE(held_out_only.mean_error_common.has_value());
  EXPECT_NEAR(*held_out_only.mean_error_held_out, 50.0, 1e-12);
  EXPECT_EQ(held_out_only.missing.size(), 15u);
}

TEST(CorruptionError, RejectsBadInputNamingTheKey) {
  expect_error_naming({{"fogg", {{1, 0.5}}}}, std::nullopt, "fogg");
  expect_error_naming({{"fog", {{6, 0.5}}}}, std::nullopt, "fog/6");
  expect_error_naming({{"fog", {{2, 1.5}}}}, std::nullopt, "fog/2");
  expect_error_naming({{"fog", {}}}, std::nullopt, "fog");
  expect_error_naming({{"fog", {{1, 0.5}}}}, 23.9, "clean error");
}

}  // namespace
}  // namespace advbn
