// Top-1/top-5 arithmetic of ClassificationMeter against logits written by hand: the label at
// every rank, ties around it, fewer than five classes, batches, and the sum over replicas.
#include "advbn/eval/meters.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace advbn {
namespace {

torch::Tensor logits(std::vector<std::vector<float>> rows) {
  std::vector<torch::Tensor> tensors;
  for (auto& row : rows) tensors.push_back(torch::tensor(row));
  return torch::stack(tensors);
}

TEST(ClassificationMeter, CountsTop1AndTop5FromHandMadeLogits) {
  ClassificationMeter meter;
  // Seven classes; the comment gives the label's rank (1 = largest logit).
  meter.add(logits({{0.1f, 3.0f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f},    // label 1: rank 1
                    {5, 4, 3, 2, 1, 0, -1},                        // label 1: rank 2
                    {5, 4, 3, 2, 1, 0, -1},                        // label 4: rank 5
                    {5, 4, 3, 2, 1, 0, -1}}),                      // label 5: rank 6
            torch::tensor({1, 1, 4, 5}, torch::kLong), 2.0);
  EXPECT_EQ(meter.count(), 4);
  EXPECT_DOUBLE_EQ(meter.top1(), 25.0);
  EXPECT_DOUBLE_EQ(meter.top5(), 75.0);

  // Ties that do not make the label's rank ambiguous: the top-5 cut falls inside a tie above a
  // label ranked last; a label above a six-way tie; a label inside a tie that lies wholly in the
  // top five.
  meter.add(logits({{2, 2, 1, 1, 1, 1, 0},    // label 6: rank 7
                    {1, 1, 1, 1, 1, 1, 3},    // label 6: rank 1
                    {3, 3, 2, 2, 1, 1, 1}}),  // label 3: rank 3 or 4
            torch::tensor({6, 6, 3}, torch::kLong), 5.0);
  EXPECT_EQ(meter.count(), 7);
  EXPECT_DOUBLE_EQ(meter.top1(), 100.0 * 2 / 7);
  EXPECT_DOUBLE_EQ(meter.top5(), 100.0 * 5 / 7);
  EXPECT_DOUBLE_EQ(meter.mean_loss(), 1.0);
}

TEST(ClassificationMeter, FewerThanFiveClassesMakeTop5CountEveryImage) {
  ClassificationMeter meter;
  EXPECT_EQ(meter.top1(), 0);  // nothing counted yet
  meter.add(logits({{0, 1, 2}, {2, 1, 0}, {0, 2, 1}}), torch::tensor({0, 0, 2}, torch::kLong), 3.0);
  EXPECT_DOUBLE_EQ(meter.top1(), 100.0 / 3);
  EXPECT_DOUBLE_EQ(meter.top5(), 100.0);
  ClassificationMeter one_class;
  one_class.add(logits({{4}, {-1}}), torch::tensor({0, 0}, torch::kLong), 0.0);
  EXPECT_DOUBLE_EQ(one_class.top1(), 100.0);
}

// The replicas' sum sees one tensor of the four totals, on the device it is given (where NCCL
// needs them); the meta device stands in for a GPU, so the stand-in sum replaces the tensor
// instead of adding into it.
TEST(ClassificationMeter, MergesReplicasOnTheGivenDevice) {
  ClassificationMeter meter;
  meter.add(logits({{1, 0}, {1, 0}}), torch::tensor({0, 1}, torch::kLong), 3.0);
  std::optional<torch::Device> seen;
  meter.merge_replicas(
      [&](torch::Tensor& totals) {
        seen = totals.device();
        totals = torch::tensor({8.0, 5.0, 6.0, 4.0, 8.0}, torch::kFloat64);  // count, top-1, top-5, loss, images
      },
      torch::Device(torch::kMeta));
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, torch::Device(torch::kMeta));
  EXPECT_EQ(meter.count(), 8);
  EXPECT_DOUBLE_EQ(meter.top1(), 62.5);
  EXPECT_DOUBLE_EQ(meter.top5(), 75.0);
  EXPECT_DOUBLE_EQ(meter.mean_loss(), 0.5);

  // A real sum on the CPU: two identical replicas double the counts, not the percentages.
  meter.merge_replicas([](torch::Tensor& totals) { totals.mul_(2); }, torch::kCPU);
  EXPECT_EQ(meter.count(), 16);
  EXPECT_DOUBLE_EQ(meter.top1(), 62.5);
  ClassificationMeter alone;
  alone.add(logits({{1, 0}}), torch::tensor({0}, torch::kLong), 1.0);
  alone.merge_replicas({}, torch::kCPU);
  EXPECT_EQ(alone.count(), 1);
}

}  // namespace
}  // namespace advbn
