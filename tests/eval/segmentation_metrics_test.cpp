// mIoU, per-class IoU and pixel accuracy against a confusion matrix computed by hand: ignored
// pixels, a class never seen, batches in any split, replicas, and bad input.
#include "advbn/eval/segmentation_metrics.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "advbn/error.h"

namespace advbn {
namespace {

// Labels and predictions of 8 pixels, one of them ignored (255). By hand, over the other 7
// (row = label, column = prediction):
//   label 0: predicted 0, 1, 0     label 1: predicted 1, 1, 2     label 2: predicted 0
//   TP = (2, 2, 0); labelled = (3, 3, 1); predicted = (3, 3, 1); union = (4, 4, 2)
//   IoU = (50, 50, 0) %, mIoU = 33.33 %, pixel accuracy = 4 / 7.
torch::Tensor hand_labels() { return torch::tensor({0, 0, 1, 1, 2, 255, 0, 1}, torch::kLong); }
torch::Tensor hand_predictions() { return torch::tensor({0, 1, 1, 1, 0, 2, 0, 2}, torch::kLong); }

TEST(ConfusionMatrix, ScoresEqualAHandComputation) {
  ConfusionMatrix matrix(3);
  matrix.add(hand_predictions().view({2, 4}), hand_labels().view({2, 4}));
  const auto expected = torch::tensor({2, 1, 0, 0, 2, 1, 1, 0, 0}, torch::kLong).view({3, 3});
  EXPECT_TRUE(torch::equal(matrix.counts(), expected)) << matrix.counts();
  const auto s = matrix.scores();
  ASSERT_EQ(s.iou.size(), 3u);
  EXPECT_DOUBLE_EQ(s.iou[0], 50.0);
  EXPECT_DOUBLE_EQ(s.iou[1], 50.0);
  EXPECT_DOUBLE_EQ(s.iou[2], 0.0);
  EXPECT_NEAR(s.mean_iou, 100.0 / 3, 1e-12);
  EXPECT_NEAR(s.pixel_accuracy, 400.0 / 7, 1e-12);
  EXPECT_EQ(s.pixels, 7);
}

// A class neither labelled nor predicted anywhere has no IoU and does not lower the mean; one
// only predicted has IoU 0 and does.
TEST(ConfusionMatrix, AbsentClassesAreLeftOutOfTheMean) {
  ConfusionMatrix matrix(5);
  matrix.add(hand_predictions(), hand_labels());
  auto s = matrix.scores();
  EXPECT_TRUE(std::isnan(s.iou[3]));
  EXPECT_TRUE(std::isnan(s.iou[4]));
  EXPECT_NEAR(s.mean_iou, 100.0 / 3, 1e-12);
  matrix.add(torch::tensor({4}, torch::kLong), torch::tensor({0}, torch::kLong));
  s = matrix.scores();
  EXPECT_DOUBLE_EQ(s.iou[4], 0.0);
  EXPECT_NEAR(s.iou[0], 100.0 * 2 / 5, 1e-12);  // one more label-0 pixel, missed
  EXPECT_NEAR(s.mean_iou, (40.0 + 50.0 + 0.0 + 0.0) / 4, 1e-12);
  EXPECT_NEAR(s.pixel_accuracy, 400.0 / 8, 1e-12);
}

TEST(ConfusionMatrix, BatchesAndReplicasAddUp) {
  ConfusionMatrix whole(3), parts(3);
  whole.add(hand_predictions(), hand_labels());
  parts.add(hand_predictions().narrow(0, 0, 3), hand_labels().narrow(0, 0, 3));
  parts.add(hand_predictions().narrow(0, 3, 5), hand_labels().narrow(0, 3, 5));
  EXPECT_TRUE(torch::equal(whole.counts(), parts.counts()));
  // Two replicas that saw the same pixels: counts double, scores stay.
  parts.merge_replicas([](torch::Tensor& t) { t.mul_(2); }, torch::kCPU);
  EXPECT_TRUE(torch::equal(parts.counts(), whole.counts() * 2));
  EXPECT_DOUBLE_EQ(parts.scores().mean_iou, whole.scores().mean_iou);
}

TEST(ConfusionMatrix, RefusesWhatCannotBeScored) {
  EXPECT_THROW(ConfusionMatrix(0), Error);
  EXPECT_THROW(ConfusionMatrix(19, 3), Error);  // the ignore label is a class
  ConfusionMatrix matrix(3);
  EXPECT_THROW(matrix.add(hand_predictions(), hand_labels().view({2, 4})), Error);
  try {
    matrix.add(torch::tensor({0, 1}, torch::kLong), torch::tensor({0, 7}, torch::kLong));
    FAIL() << "label 7 of 3 classes was counted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(": 7"), std::string::npos) << e.what();
  }
  EXPECT_THROW(matrix.add(torch::tensor({3}, torch::kLong), torch::tensor({0}, torch::kLong)), Error);
  EXPECT_TRUE(torch::equal(matrix.counts(), torch::zeros({3, 3}, torch::kLong)));  // nothing counted
}

}  // namespace
}  // namespace advbn
