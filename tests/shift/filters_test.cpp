#include "advbn/shift/filters.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "advbn/error.h"
#include "shift/shift_test_util.h"

namespace advbn::shift {
namespace {

using testing::mean_abs_diff;
using testing::scene;

TEST(FilterNames, CssgramSetIsComplete) {
  const auto& names = filter_names();
  EXPECT_GE(names.size(), 20u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* expected :
       {"1977", "aden", "amaro", "brannan", "brooklyn", "clarendon", "earlybird", "gingham",
        "hudson", "inkwell", "kelvin", "lark", "lofi", "maven", "mayfair", "moon", "nashville",
        "perpetua", "reyes", "rise", "slumber", "stinson", "toaster", "valencia", "walden",
        "willow", "xpro2"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST(FilterErrors, BadArgumentsAreNamed) {
  try {
    apply_filter(scene(32, 32), "gotham");
    FAIL() << "expected advbn::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("gotham"), std::string::npos) << message;
    EXPECT_NE(message.find("toaster"), std::string::npos) << message;
  }
  EXPECT_THROW(apply_filter(scene(7, 7), "toaster"), Error);
  EXPECT_THROW(apply_filter(cv::Mat(16, 16, CV_16UC3, cv::Scalar(0)), "toaster"), Error);
  EXPECT_THROW(apply_filter(cv::Mat(), "toaster"), Error);
}

TEST(FilterColour, GrayscaleFiltersGiveGrayPixels) {
  for (const char* name : {"inkwell", "moon"}) {
    const cv::Mat out = apply_filter(scene(64, 64), name);
    std::vector<cv::Mat> channels;
    cv::split(out, channels);
    EXPECT_LE(cv::norm(channels[0], channels[1], cv::NORM_INF), 1.0) << name;
    EXPECT_LE(cv::norm(channels[1], channels[2], cv::NORM_INF), 1.0) << name;
  }
}

class EveryFilter : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryFilter, KeepsSizeAndType) {
  const std::string& name = GetParam();
  for (const cv::Mat& img : {scene(224, 224), scene(28, 28, true), scene(8, 8), scene(40, 24, true)}) {
    const cv::Mat out = apply_filter(img, name);
    EXPECT_EQ(out.size(), img.size()) << name;
    EXPECT_EQ(out.type(), img.type()) << name;
  }
}

TEST_P(EveryFilter, ChangesTheImageAndKeepsItsRange) {
  const std::string& name = GetParam();
  for (const cv::Mat& img : {scene(224, 224), scene(28, 28, true)}) {
    const cv::Mat out = apply_filter(img, name);
    EXPECT_GT(mean_abs_diff(out, img), 1.0) << name << " leaves the image unchanged";
    // A filter restyles the picture; it must not wash it out or black it out.
    cv::Scalar mean, stddev;
    cv::meanStdDev(out.reshape(1), mean, stddev);
    EXPECT_GT(mean[0], 30.0) << name;
    EXPECT_LT(mean[0], 225.0) << name;
    EXPECT_GT(stddev[0], 15.0) << name;
  }
}

TEST_P(EveryFilter, IsAPureFunctionOfTheImage) {
  const cv::Mat img = scene(64, 48);
  EXPECT_EQ(mean_abs_diff(apply_filter(img, GetParam()), apply_filter(img, GetParam())), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Shift, EveryFilter, ::testing::ValuesIn(filter_names()),
                         [](const auto& info) {
                           return info.param == "1977" ? std::string("f1977") : info.param;
                         });

}  // namespace
}  // namespace advbn::shift
