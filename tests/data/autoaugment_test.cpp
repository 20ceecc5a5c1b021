// Each AutoAugment operation against its definition (PIL's arithmetic) on small images, and the
// ImageNet policy's table, magnitudes and random draws.
#include <advbn/data/autoaugment.h>
#include <advbn/data/image_ops.h>
#include <advbn/error.h>

#include <gtest/gtest.h>

#include <set>

namespace advbn::data {
namespace {

// Values chosen to hit edges: 0, 255, values around thresholds.
cv::Mat sample_image() {
  cv::Mat image(4, 5, CV_8UC3);
  int k = 0;
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x, ++k) {
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>((k * 53) % 256),
                                            static_cast<uint8_t>((k * 97 + 11) % 256),
                                            static_cast<uint8_t>(255 - (k * 13) % 256));
    }
  }
  image.at<cv::Vec3b>(0, 0) = cv::Vec3b(0, 255, 128);
  return image;
}

// Applies f to every channel value of image.
template <typename F>
cv::Mat map_values(const cv::Mat& image, F f) {
  cv::Mat out(image.size(), image.type());
  for (int y = 0; y < image.rows; ++y) {
    for (int i = 0; i < image.cols * image.channels(); ++i) {
      out.ptr<uint8_t>(y)[i] = static_cast<uint8_t>(f(int{image.ptr<uint8_t>(y)[i]}));
    }
  }
  return out;
}

void expect_same(const cv::Mat& actual, const cv::Mat& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  ASSERT_EQ(actual.type(), expected.type());
  EXPECT_EQ(cv::norm(actual, expected, cv::NORM_INF), 0) << "actual\n" << actual << "\nexpected\n" << expected;
}

uint8_t clip_truncate(float value) {
  return value <= 0.0f ? 0 : value >= 255.0f ? 255 : static_cast<uint8_t>(value);
}

TEST(ImageOps, PointOperations) {
  const cv::Mat image = sample_image();
  expect_same(invert(image), map_values(image, [](int v) { return 255 - v; }));
  expect_same(posterize(image, 3), map_values(image, [](int v) { return v & 0xE0; }));
  expect_same(posterize(image, 8), image);
  expect_same(solarize(image, 128), map_values(image, [](int v) { return v >= 128 ? 255 - v : v; }));
  expect_same(solarize(image, 255.0), map_values(image, [](int v) { return v == 255 ? 0 : v; }));
  expect_same(solarize(image, 256.0), image);
  EXPECT_THROW(posterize(image, 0), Error);
}

TEST(ImageOps, BrightnessBlendsWithBlack) {
  const cv::Mat image = sample_image();
  expect_same(adjust_brightness(image, 0.0), cv::Mat::zeros(image.size(), image.type()));
  expect_same(adjust_brightness(image, 1.0), image);
  expect_same(adjust_brightness(image, 1.7),
              map_values(image, [](int v) { return clip_truncate(1.7f * static_cast<float>(v)); }));
  expect_same(adjust_brightness(image, 0.3),
              map_values(image, [](int v) { return clip_truncate(0.3f * static_cast<float>(v)); }));
}

TEST(ImageOps, ContrastBlendsWithTheRoundedMeanGrey) {
  // Pure colours: luma of red is (255·19595 + 2^15) >> 16 = 76, of blue 29; mean 52.5 → 53.
  cv::Mat image(1, 2, CV_8UC3);
  image.at<cv::Vec3b>(0, 0) = cv::Vec3b(255, 0, 0);
  image.at<cv::Vec3b>(0, 1) = cv::Vec3b(0, 0, 255);
  expect_same(adjust_contrast(image, 0.0), cv::Mat(1, 2, CV_8UC3, cv::Scalar::all(53)));
  const cv::Mat half = adjust_contrast(image, 0.5);
  EXPECT_EQ(half.at<cv::Vec3b>(0, 0), cv::Vec3b(154, 26, 26));  // 53 + 0.5·(255 − 53) = 154
  expect_same(adjust_contrast(image, 1.0), image);
}

TEST(ImageOps, ColorBlendsWithLuma) {
  const cv::Mat image = sample_image();
  const cv::Mat gray = adjust_color(image, 0.0);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      const auto p = image.at<cv::Vec3b>(y, x);
      const auto luma = static_cast<uint8_t>((p[0] * 19595 + p[1] * 38470 + p[2] * 7471 + 0x8000) >> 16);
      EXPECT_EQ(gray.at<cv::Vec3b>(y, x), cv::Vec3b::all(luma));
      const auto boosted = adjust_color(image, 1.5).at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) {
        EXPECT_EQ(boosted[c], clip_truncate(luma + 1.5f * static_cast<float>(p[c] - luma)));
      }
    }
  }
  const cv::Mat single(3, 3, CV_8UC1, cv::Scalar(77));
  expect_same(adjust_color(single, 0.0), single);
}

TEST(ImageOps, SharpnessBlendsWithTheSmoothedInterior) {
  cv::Mat image(3, 3, CV_8UC1, cv::Scalar(0));
  image.at<uint8_t>(1, 1) = 130;
  // Smoothed centre: round(5·130 / 13) = 50; the border stays. Factor 2 → 50 + 2·(130 − 50).
  EXPECT_EQ(adjust_sharpness(image, 0.0).at<uint8_t>(1, 1), 50);
  EXPECT_EQ(adjust_sharpness(image, 2.0).at<uint8_t>(1, 1), 210);
  EXPECT_EQ(adjust_sharpness(image, 0.0).at<uint8_t>(0, 0), 0);
  cv::Mat bright(3, 3, CV_8UC1, cv::Scalar(10));
  bright.at<uint8_t>(0, 1) = 250;  // border pixel: weight 1 in the centre's sum
  EXPECT_EQ(adjust_sharpness(bright, 0.0).at<uint8_t>(1, 1), (2 * (250 + 7 * 10 + 5 * 10) + 13) / 26);
}

TEST(ImageOps, AutocontrastStretchesEachChannel) {
  // Red spans 55..140 (scale 3, offset −165), green is constant, blue spans 100..102.
  cv::Mat image(1, 3, CV_8UC3);
  image.at<cv::Vec3b>(0, 0) = cv::Vec3b(55, 7, 100);
  image.at<cv::Vec3b>(0, 1) = cv::Vec3b(100, 7, 101);
  image.at<cv::Vec3b>(0, 2) = cv::Vec3b(140, 7, 102);
  const cv::Mat out = autocontrast(image);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 7, 0));
  EXPECT_EQ(out.at<cv::Vec3b>(0, 1), cv::Vec3b(135, 7, 127));  // int(127.5) = 127
  EXPECT_EQ(out.at<cv::Vec3b>(0, 2), cv::Vec3b(255, 7, 255));
}

TEST(ImageOps, EqualizeFollowsPilsLookUpTable) {
  // Histogram: 100 × value 10, 50 × value 20, 106 × value 30 (256 pixels).
  cv::Mat image(16, 16, CV_8UC1);
  for (int i = 0; i < 256; ++i) image.at<uint8_t>(i / 16, i % 16) = i < 100 ? 10 : i < 150 ? 20 : 30;
  // step = (256 − 106) / 255 = 0 → unchanged.
  expect_same(equalize(image), image);
  cv::Mat big(32, 32, CV_8UC1);  // 1024 pixels: 400 × 10, 300 × 20, 324 × 30
  for (int i = 0; i < 1024; ++i) big.at<uint8_t>(i / 32, i % 32) = i < 400 ? 10 : i < 700 ? 20 : 30;
  // step = (1024 − 324) / 255 = 2; lut[v] = (1 + pixels below v) / 2: 10 → 0, 20 → 200, 30 → 350 → 255.
  const cv::Mat out = equalize(big);
  EXPECT_EQ(out.at<uint8_t>(0, 0), 0);
  EXPECT_EQ(out.at<uint8_t>(15, 0), 200);
  EXPECT_EQ(out.at<uint8_t>(31, 31), 255);
  const cv::Mat flat(4, 4, CV_8UC3, cv::Scalar(9, 9, 9));
  expect_same(equalize(flat), flat);
}

TEST(ImageOps, RotateBy90DegreesIsATransposition) {
  cv::Mat image(4, 4, CV_8UC3);
  for (int i = 0; i < 16; ++i) image.at<cv::Vec3b>(i / 4, i % 4) = cv::Vec3b::all(static_cast<uint8_t>(i * 10));
  cv::Mat counter_clockwise;
  cv::rotate(image, counter_clockwise, cv::ROTATE_90_COUNTERCLOCKWISE);
  expect_same(rotate(image, 90.0), counter_clockwise);
  cv::Mat clockwise;
  cv::rotate(image, clockwise, cv::ROTATE_90_CLOCKWISE);
  expect_same(rotate(image, -90.0), clockwise);
  cv::Mat upside_down;
  cv::rotate(image(cv::Rect(0, 0, 4, 3)), upside_down, cv::ROTATE_180);
  expect_same(rotate(image(cv::Rect(0, 0, 4, 3)).clone(), 180.0), upside_down);
  expect_same(rotate(image, 0.0), image);
  // 45° leaves the corners without a source: they become black; the centre stays.
  const cv::Mat diagonal = rotate(image, 45.0);
  EXPECT_EQ(diagonal.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
}

TEST(ImageOps, ShearAndTranslateMoveContentAsDefined) {
  cv::Mat image(4, 6, CV_8UC1);
  for (int i = 0; i < 24; ++i) image.at<uint8_t>(i / 6, i % 6) = static_cast<uint8_t>(i + 1);
  // Output (x, y) samples the input at floor(x + 0.5 + f·(y + 0.5)), y (pixel centres).
  const cv::Mat sheared = shear_x(image, 0.5);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) {
      const int source_x = static_cast<int>(std::floor(x + 0.5 + 0.5 * (y + 0.5)));
      const int expected = source_x < 6 ? image.at<uint8_t>(y, source_x) : 0;
      EXPECT_EQ(sheared.at<uint8_t>(y, x), expected) << x << "," << y;
    }
  }
  const cv::Mat sheared_y = shear_y(image, -0.5);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) {
      const double source_y = std::floor(y + 0.5 - 0.5 * (x + 0.5));
      const int expected = source_y >= 0 ? image.at<uint8_t>(static_cast<int>(source_y), x) : 0;
      EXPECT_EQ(sheared_y.at<uint8_t>(y, x), expected) << x << "," << y;
    }
  }
  const cv::Mat right = translate_x(image, 2);
  EXPECT_EQ(right.at<uint8_t>(1, 0), 0);
  EXPECT_EQ(right.at<uint8_t>(1, 2), image.at<uint8_t>(1, 0));
  const cv::Mat up = translate_y(image, -1);
  EXPECT_EQ(up.at<uint8_t>(0, 3), image.at<uint8_t>(1, 3));
  EXPECT_EQ(up.at<uint8_t>(3, 3), 0);
}

TEST(AutoAugment, ImageNetPolicyTableAndMagnitudes) {
  const auto& policy = imagenet_policy();
  EXPECT_EQ(policy[0][0].op, AutoAugmentOp::Posterize);
  EXPECT_EQ(policy[0][0].magnitude_bin, 8);
  EXPECT_EQ(policy[18][0].op, AutoAugmentOp::ShearX);
  EXPECT_DOUBLE_EQ(policy[24][1].probability, 0.6);
  std::set<std::string> ops;
  for (const auto& sub : policy) {
    for (const auto& step : sub) ops.insert(op_name(step.op));
  }
  EXPECT_EQ(ops, (std::set<std::string>{"AutoContrast", "Color", "Contrast", "Equalize", "Invert",
                                        "Posterize", "Rotate", "Sharpness", "ShearX", "Solarize"}));
  const int posterize_bits[] = {8, 8, 7, 7, 6, 6, 5, 5, 4, 4};
  for (int bin = 0; bin < 10; ++bin) {
    EXPECT_EQ(op_magnitude(AutoAugmentOp::Posterize, bin, 32, 32), posterize_bits[bin]);
  }
  EXPECT_NEAR(op_magnitude(AutoAugmentOp::Rotate, 9, 32, 32), 30.0, 1e-6);
  EXPECT_NEAR(op_magnitude(AutoAugmentOp::Rotate, 3, 32, 32), 10.0, 1e-5);
  EXPECT_NEAR(op_magnitude(AutoAugmentOp::Solarize, 5, 32, 32), 255.0 * 4 / 9, 1e-4);
  EXPECT_NEAR(op_magnitude(AutoAugmentOp::TranslateX, 9, 10, 331), 150.0, 1e-4);
  EXPECT_NEAR(op_magnitude(AutoAugmentOp::Color, 8, 32, 32), 0.8, 1e-6);
  EXPECT_FALSE(op_is_signed(AutoAugmentOp::Solarize));
  EXPECT_TRUE(op_is_signed(AutoAugmentOp::Rotate));
  EXPECT_THROW(op_magnitude(AutoAugmentOp::Rotate, 10, 32, 32), Error);
  // Enhancements use factor 1 + magnitude.
  const cv::Mat image = sample_image();
  expect_same(apply_op(image, AutoAugmentOp::Brightness, -0.3), adjust_brightness(image, 0.7));
}

TEST(AutoAugment, RandomDrawsAreReproducibleAndVaried) {
  const cv::Mat image = sample_image();
  std::set<std::vector<uint8_t>> outcomes;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    std::mt19937_64 a(seed), b(seed);
    const cv::Mat first = auto_augment(image, a);
    expect_same(auto_augment(image, b), first);
    ASSERT_EQ(first.size(), image.size());
    outcomes.insert(std::vector<uint8_t>(first.datastart, first.dataend));
  }
  EXPECT_GT(outcomes.size(), 10u);
}

}  // namespace
}  // namespace advbn::data
