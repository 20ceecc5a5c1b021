// The per-pixel loss and pixel counting against a written reference: scores upsampled to the
// labels' size, log-softmax per pixel, the mean over labelled pixels only; classification
// unchanged (cross-entropy over images).
#include "advbn/eval/prediction_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "advbn/eval/meters.h"

namespace advbn {
namespace {

namespace F = torch::nn::functional;

TEST(PredictionLoss, SegmentationIsTheMeanOverLabelledPixelsOfUpsampledScores) {
  torch::manual_seed(4);
  const auto logits = torch::randn({2, 3, 4, 5}, torch::kFloat64);
  auto labels = torch::randint(0, 3, {2, 8, 10}, torch::kInt64);
  labels.index_put_({0, torch::indexing::Slice(0, 3)}, 255);
  labels[1][7][9] = 255;
  const auto upsampled = F::interpolate(
      logits, F::InterpolateFuncOptions().size(std::vector<int64_t>{8, 10}).mode(torch::kBilinear).align_corners(false));
  // The reference, pixel by pixel.
  double sum = 0;
  int64_t labelled = 0, correct = 0;
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t y = 0; y < 8; ++y) {
      for (int64_t x = 0; x < 10; ++x) {
        const int64_t label = labels[n][y][x].item<int64_t>();
        if (label == 255) continue;
        double denominator = 0, best = -1e300;
        int64_t argmax = 0;
        for (int64_t k = 0; k < 3; ++k) {
          const double score = upsampled[n][k][y][x].item<double>();
          denominator += std::exp(score);
          if (score > best) best = score, argmax = k;
        }
        sum -= std::log(std::exp(upsampled[n][label][y][x].item<double>()) / denominator);
        ++labelled;
        correct += argmax == label;
      }
    }
  }
  EXPECT_EQ(labelled, 2 * 80 - 30 - 1);
  EXPECT_NEAR(prediction_loss(logits, labels).item<double>(), sum / labelled, 1e-10);
  EXPECT_NEAR(summed_prediction_loss(logits, labels), 2 * sum / labelled, 1e-9);
  EXPECT_TRUE(torch::allclose(dense_logits(logits, labels), upsampled));

  ClassificationMeter meter;
  meter.add(logits, labels, summed_prediction_loss(logits, labels));
  EXPECT_EQ(meter.count(), labelled);
  EXPECT_EQ(meter.samples(), 2);
  EXPECT_NEAR(meter.top1(), 100.0 * static_cast<double>(correct) / static_cast<double>(labelled), 1e-9);
  EXPECT_NEAR(meter.mean_loss(), sum / labelled, 1e-9);
}

TEST(PredictionLoss, ClassificationIsPlainCrossEntropy) {
  torch::manual_seed(5);
  const auto logits = torch::randn({6, 4}, torch::kFloat64);
  const auto labels = torch::tensor({0, 3, 2, 1, 3, 2}, torch::kInt64);
  EXPECT_TRUE(torch::equal(prediction_loss(logits, labels), F::cross_entropy(logits, labels)));
  EXPECT_DOUBLE_EQ(summed_prediction_loss(logits, labels),
                   F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>());
  EXPECT_TRUE(torch::equal(dense_logits(logits, labels), logits));
}

}  // namespace
}  // namespace advbn
