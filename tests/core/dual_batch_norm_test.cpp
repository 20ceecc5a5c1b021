#include "advbn/core/dual_batch_norm.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace advbn {
namespace {

TEST(DualBatchNorm, EachBranchUpdatesOnlyItsOwnStatistics) {
  torch::manual_seed(0);
  DualBatchNorm2d bn(3);
  bn->train();
  bn->forward(torch::randn({4, 3, 5, 5}) + 2, BNBranch::Clean);
  EXPECT_GT(bn->running_mean.min().item<float>(), 0.1f);
  EXPECT_TRUE(torch::equal(bn->twin->running_mean, torch::zeros({3})));

  const auto main_mean = bn->running_mean.clone();
  bn->forward(torch::randn({4, 3, 5, 5}) - 3, BNBranch::Adv);
  EXPECT_TRUE(torch::equal(bn->running_mean, main_mean));
  EXPECT_LT(bn->twin->running_mean.max().item<float>(), -0.1f);
}

TEST(DualBatchNorm, EvalUsesEachBranchsRunningStatistics) {
  DualBatchNorm2d bn(2);
  bn->twin->running_mean.fill_(1.0);
  bn->eval();
  const auto x = torch::ones({1, 2, 1, 1});
  EXPECT_TRUE(torch::allclose(bn->forward(x, BNBranch::Clean), x, 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(bn->forward(x, BNBranch::Adv), torch::zeros_like(x), 1e-6, 1e-6));
}

// Eval mode without parameter gradients takes an affine shortcut; it must equal batch_norm, in
// value and input gradient, on both branches.
TEST(DualBatchNorm, EvalWithFrozenParametersEqualsBatchNorm) {
  torch::manual_seed(4);
  DualBatchNorm2d bn(3);
  for (auto& t : {bn->weight, bn->twin->weight}) t.data().uniform_(0.5, 1.5);
  for (auto& t : {bn->bias, bn->twin->bias, bn->running_mean, bn->twin->running_mean}) t.data().normal_();
  for (auto& t : {bn->running_var, bn->twin->running_var}) t.uniform_(0.5, 2);
  bn->eval();
  for (auto& p : bn->parameters()) p.requires_grad_(false);
  const auto x = torch::randn({2, 3, 4, 4}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_(true);
  const auto upstream = torch::randn({2, 3, 4, 4});
  for (const auto branch : {BNBranch::Clean, BNBranch::Adv}) {
    const auto& w = branch == BNBranch::Clean ? bn->weight : bn->twin->weight;
    const auto& b = branch == BNBranch::Clean ? bn->bias : bn->twin->bias;
    const auto& mean = branch == BNBranch::Clean ? bn->running_mean : bn->twin->running_mean;
    const auto& var = branch == BNBranch::Clean ? bn->running_var : bn->twin->running_var;
    const auto y = bn->forward(x, branch);
    const auto expected = torch::batch_norm(x, w, b, mean, var, false, 0.1, 1e-5, false);
    EXPECT_TRUE(torch::allclose(y, expected, 1e-6, 1e-6));
    EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
    const auto grad = torch::autograd::grad({(y * upstream).sum()}, {x})[0];
    const auto expected_grad = torch::autograd::grad({(expected * upstream).sum()}, {x})[0];
    EXPECT_TRUE(torch::allclose(grad, expected_grad, 1e-6, 1e-6));
  }
}

// In eval mode with trainable parameters (frozen statistics, trained affine), BN still gives
// parameter gradients.
TEST(DualBatchNorm, EvalWithTrainableParametersHasParameterGradients) {
  DualBatchNorm2d bn(3);
  bn->eval();
  bn->forward(torch::randn({2, 3, 4, 4}), BNBranch::Clean).pow(2).sum().backward();
  ASSERT_TRUE(bn->weight.grad().defined());
  EXPECT_GT(bn->weight.grad().abs().sum().item<float>(), 0);
}

TEST(DualBatchNorm, CopyMainToTwin) {
  DualBatchNorm2d bn(2);
  bn->running_var.fill_(4.0);
  bn->weight.data().fill_(2.0);
  bn->copy_main_to_twin();
  EXPECT_TRUE(torch::equal(bn->twin->running_var, bn->running_var));
  EXPECT_TRUE(torch::equal(bn->twin->weight, bn->weight));
}

}  // namespace
}  // namespace advbn
