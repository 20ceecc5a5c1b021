// Geometric transforms, tensor conversion and the preprocessing pipelines: output shapes, value
// ranges, and torchvision's crop arithmetic.
#include <advbn/data/pipeline.h>
#include <advbn/data/random.h>
#include <advbn/data/transforms.h>
#include <advbn/error.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace advbn::data {
namespace {

cv::Mat gradient(int rows, int cols, int channels = 3) {
  cv::Mat image(rows, cols, CV_8UC(channels));
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      for (int c = 0; c < channels; ++c) {
        image.ptr<uint8_t>(y)[x * channels + c] = static_cast<uint8_t>((x * 5 + y * 3 + c * 40) % 256);
      }
    }
  }
  return image;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(Random, DrawsAreInRangeAndPermutationsArePermutations) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform01(rng);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    EXPECT_LT(uniform_index(rng, 7), 7u);
  }
  auto order = random_permutation(50, 3);
  EXPECT_EQ(order, random_permutation(50, 3));
  EXPECT_NE(order, random_permutation(50, 4));
  std::sort(order.begin(), order.end());
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
  EXPECT_NE(sample_seed(1, 0, 1), sample_seed(1, 1, 0));
}

TEST(Transforms, RandomResizedCropBoxesStayInsideWithValidShapes) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    const auto box = random_resized_crop_box(60, 90, rng);
    EXPECT_GE(box.top, 0);
    EXPECT_GE(box.left, 0);
    EXPECT_LE(box.top + box.height, 60);
    EXPECT_LE(box.left + box.width, 90);
    const double area = static_cast<double>(box.height) * box.width / (60.0 * 90.0);
    EXPECT_GE(area, 0.07);
  }
}

TEST(Transforms, RandomResizedCropFallsBackToAClampedCentreCrop) {
  // A 1000 × 10 strip: no random window of ratio 3/4..4/3 covering >= 8% fits, so the fallback
  // crops the widest window with ratio 4/3 at the centre (h = 10, w = round(13.33) = 13).
  std::mt19937_64 rng(2);
  const auto box = random_resized_crop_box(10, 1000, rng);
  EXPECT_EQ(box.height, 10);
  EXPECT_EQ(box.width, 13);
  EXPECT_EQ(box.top, 0);
  EXPECT_EQ(box.left, (1000 - 13) / 2);
  const cv::Mat out = random_resized_crop(gradient(10, 1000), 16, rng);
  EXPECT_EQ(out.size(), cv::Size(16, 16));
  EXPECT_EQ(out.type(), CV_8UC3);
}

TEST(Transforms, ResizeShorterSideTruncatesTheLongerSide) {
  EXPECT_EQ(resize_shorter_side(gradient(300, 451), 256).size(), cv::Size(384, 256));  // 384.85
  EXPECT_EQ(resize_shorter_side(gradient(451, 300), 256).size(), cv::Size(256, 384));
  EXPECT_EQ(resize_shorter_side(gradient(10, 20, 1), 20).size(), cv::Size(40, 20));
}

TEST(Transforms, CenterCropRoundsLikeTorchvisionAndPadsSmallImages) {
  const cv::Mat image = gradient(7, 9);
  // Offsets round((7 - 4) / 2) = round(1.5) = 2 (half to even) and round(2.5) = 2.
  EXPECT_TRUE(same(center_crop(image, 4), image(cv::Rect(2, 2, 4, 4))));
  const cv::Mat padded = center_crop(gradient(2, 2), 5);  // padded 1 before, 2 after
  ASSERT_EQ(padded.size(), cv::Size(5, 5));
  EXPECT_TRUE(same(padded(cv::Rect(1, 1, 2, 2)), gradient(2, 2)));
  EXPECT_EQ(padded.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(padded.at<cv::Vec3b>(4, 4), cv::Vec3b(0, 0, 0));
}

TEST(Transforms, RandomCropWithPaddingKeepsSizeAndCoversTheImage) {
  const cv::Mat image = gradient(32, 32);
  std::mt19937_64 rng(3);
  bool moved = false;
  for (int i = 0; i < 20; ++i) {
    const cv::Mat crop = random_crop(image, 32, 4, rng);
    ASSERT_EQ(crop.size(), cv::Size(32, 32));
    moved |= !same(crop, image);
  }
  EXPECT_TRUE(moved);
  EXPECT_TRUE(same(random_crop(image, 32, 0, rng), image));
  EXPECT_THROW(random_crop(image, 41, 4, rng), Error);
}

TEST(Transforms, FlipGrayToRgbAndToTensor) {
  const cv::Mat image = gradient(3, 4);
  std::mt19937_64 rng(4);
  int flipped = 0;
  for (int i = 0; i < 100; ++i) {
    const cv::Mat out = random_horizontal_flip(image, rng);
    if (!same(out, image)) {
      ++flipped;
      EXPECT_EQ(out.at<cv::Vec3b>(1, 0), image.at<cv::Vec3b>(1, 3));
    }
  }
  EXPECT_GT(flipped, 30);
  EXPECT_LT(flipped, 70);

  const cv::Mat gray = gradient(3, 4, 1);
  const cv::Mat rgb = grayscale_to_rgb(gray);
  ASSERT_EQ(rgb.type(), CV_8UC3);
  EXPECT_EQ(rgb.at<cv::Vec3b>(2, 3), cv::Vec3b::all(gray.at<uint8_t>(2, 3)));

  const Normalization norm{{0.5f, 0.25f, 0.0f}, {0.5f, 0.25f, 1.0f}};
  const auto tensor = to_tensor(image, norm);
  ASSERT_EQ(tensor.sizes(), (std::vector<int64_t>{3, 3, 4}));
  ASSERT_EQ(tensor.dtype(), torch::kFloat32);
  for (int c = 0; c < 3; ++c) {
    const float value = image.at<cv::Vec3b>(2, 1)[c] / 255.0f;
    EXPECT_NEAR(tensor[c][2][1].item<float>(), (value - norm.mean[c]) / norm.std[c], 1e-6);
  }
  EXPECT_THROW(to_tensor(gray, norm), Error);
}

TEST(Pipeline, ImageNetAndSmallImagePipelinesGiveFixedShapes) {
  const auto norm = imagenet_normalization();
  const cv::Mat large = gradient(120, 170);
  const cv::Mat small_gray = gradient(28, 28, 1);
  std::mt19937_64 rng(6);
  for (const auto* augment : {"basic", "autoaugment", "none"}) {
    const auto train = train_pipeline(parse_augmentation(augment), 64, false, norm);
    const auto tensor = train.apply(large, 0, rng);
    EXPECT_EQ(tensor.sizes(), (std::vector<int64_t>{3, 64, 64})) << augment;
    EXPECT_LE(tensor.max().item<float>(), (1.0f - 0.406f) / 0.225f + 1e-5f);
    EXPECT_GE(tensor.min().item<float>(), -0.485f / 0.229f - 1e-5f);
    const auto small = train_pipeline(parse_augmentation(augment), 32, true, norm).augment(small_gray, 0, rng);
    EXPECT_EQ(small.size(), cv::Size(32, 32)) << augment;
    EXPECT_EQ(small.type(), CV_8UC3);
  }
  const auto eval = eval_pipeline(64, false, norm);
  EXPECT_EQ(eval.resize_size, 73);
  // Evaluation is deterministic: resize the shorter side to 73, then take the centre 64 × 64.
  std::mt19937_64 other(99);
  EXPECT_TRUE(same(eval.augment(large, 0, rng), eval.augment(large, 0, other)));
  EXPECT_TRUE(same(eval.augment(large, 0, rng), center_crop(resize_shorter_side(large, 73), 64)));
  // At the native size the small-image evaluation pipeline only converts to RGB.
  EXPECT_TRUE(same(eval_pipeline(28, true, norm).augment(small_gray, 0, rng),
                   grayscale_to_rgb(small_gray)));
  EXPECT_THROW(parse_augmentation("randaugment"), Error);
  EXPECT_THROW(eval_pipeline(0, true, norm), Error);
}

TEST(Pipeline, ImageOpRunsLastWithTheSampleIndex) {
  const auto base = eval_pipeline(16, true, imagenet_normalization());
  size_t seen_index = 0;
  const auto with_op = with_image_op(base, [&](const cv::Mat& rgb, size_t index) {
    seen_index = index;
    return cv::Mat(cv::Scalar::all(255) - rgb);
  });
  std::mt19937_64 rng(1);
  const cv::Mat image = gradient(20, 24);
  const cv::Mat plain = base.augment(image, 0, rng);
  const cv::Mat changed = with_op.augment(image, 42, rng);
  EXPECT_EQ(seen_index, 42u);
  EXPECT_TRUE(same(changed, cv::Scalar::all(255) - plain));
  const auto bad = with_image_op(base, [](const cv::Mat& rgb, size_t) { return rgb(cv::Rect(0, 0, 2, 2)); });
  EXPECT_THROW(bad.augment(image, 0, rng), Error);
}

}  // namespace
}  // namespace advbn::data
