#include "advbn/shift/demo_scene.h"

#include <gtest/gtest.h>

#include "advbn/error.h"

namespace advbn::shift {
namespace {

TEST(DemoScene, SizeTypeAndRepeatability) {
  const cv::Mat a = demo_scene(cv::Size(64, 48));
  EXPECT_EQ(a.size(), cv::Size(64, 48));
  EXPECT_EQ(a.type(), CV_8UC3);
  EXPECT_EQ(cv::norm(a, demo_scene(cv::Size(64, 48)), cv::NORM_INF), 0.0);
}

TEST(DemoScene, HasContrastAndColour) {
  const cv::Mat img = demo_scene(cv::Size(224, 224));
  cv::Scalar mean, stddev;
  cv::meanStdDev(img, mean, stddev);
  for (int c = 0; c < 3; ++c) EXPECT_GT(stddev[c], 20.0) << "channel " << c;
}

TEST(DemoScene, RejectsTinySizes) {
  EXPECT_THROW(demo_scene(cv::Size(7, 100)), Error);
}

}  // namespace
}  // namespace advbn::shift
