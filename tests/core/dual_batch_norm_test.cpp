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

TEST(DualBatchNorm, SplitBatchEqualsTwoSeparateCalls) {
  torch::manual_seed(3);
  DualBatchNorm2d split(4), separate(4);
  for (auto* bn : {&split, &separate}) {
    (*bn)->twin->weight.data().uniform_(0.5, 1.5);
    (*bn)->weight.data().uniform_(0.5, 1.5);
  }
  separate->twin->weight.data().copy_(split->twin->weight);
  separate->weight.data().copy_(split->weight);
  const auto clean = torch::randn({3, 4, 6, 6});
  const auto adv = torch::randn({3, 4, 6, 6}) * 3 + 1;
  const auto together = split->forward(torch::cat({clean, adv}), BNBranch::Split);
  const auto expected =
      torch::cat({separate->forward(clean, BNBranch::Clean), separate->forward(adv, BNBranch::Adv)});
  EXPECT_TRUE(torch::allclose(together, expected, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(split->running_mean, separate->running_mean));
  EXPECT_TRUE(torch::allclose(split->twin->running_var, separate->twin->running_var));
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
