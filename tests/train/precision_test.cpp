// bf16 autocast around a training step: convolutions in bfloat16, weights and AdvBN statistics
// in float32, the previous autocast state restored; fp64 weights.
#include "advbn/train/precision.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/error.h"
#include "advbn/models/network_factory.h"
#include "advbn/train/training_step.h"

namespace advbn {
namespace {

TEST(Precision, Bf16ScopeRunsConvolutionsInBfloat16AndRestoresTheState) {
  const auto x = torch::randn({1, 2, 5, 5});
  const auto w = torch::randn({3, 2, 3, 3});
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  {
    const AutocastScope scope(Precision::BF16, torch::kCPU);
    EXPECT_EQ(torch::conv2d(x, w).scalar_type(), torch::kBFloat16);
    {
      const AutocastScope fp32(Precision::FP32, torch::kCPU);  // does nothing
      EXPECT_EQ(torch::conv2d(x, w).scalar_type(), torch::kBFloat16);
    }
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::conv2d(x, w).scalar_type(), torch::kFloat32);
}

TEST(Precision, Bf16AdvBNStepKeepsFloat32WeightsAndFollowsTheFloat32Step) {
  std::vector<double> losses;
  for (const auto precision : {Precision::FP32, Precision::BF16}) {
    torch::manual_seed(3);
    auto network = create_network({"resnet18", 4, "small", 0.125});
    network->set_cut("layer1");
    network->freeze_prefix();
    network->copy_main_to_twins();
    network->train();
    torch::optim::SGD optimizer(network->suffix_parameters(), torch::optim::SGDOptions(0.05));
    const AdvBatchNorm advbn(AdvBNOptions{});
    const auto images = torch::randn({8, 3, 16, 16});
    const auto labels = torch::randint(0, 4, {8});
    const AutocastScope scope(precision, torch::kCPU);
    const auto result = advbn_step(*network, advbn, 1.0, optimizer, images, labels);
    ASSERT_TRUE(result.updated);
    losses.push_back(result.loss);
    for (const auto& p : network->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat32);
  }
  // bfloat16 keeps 8 bits of mantissa: the losses agree to about 1%, not to float32 rounding.
  EXPECT_NEAR(losses[1], losses[0], 0.03 * losses[0]);
  EXPECT_NE(losses[1], losses[0]);
}

TEST(Precision, NamesAndWeightTypes) {
  EXPECT_EQ(parse_precision("bf16"), Precision::BF16);
  EXPECT_EQ(weight_dtype(Precision::FP64), torch::kFloat64);
  EXPECT_EQ(weight_dtype(Precision::BF16), torch::kFloat32);
  EXPECT_THROW(parse_precision("fp16"), Error);
}

}  // namespace
}  // namespace advbn
