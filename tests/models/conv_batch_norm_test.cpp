#include "advbn/models/conv_batch_norm.h"

#include "advbn/train/precision.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace advbn {
namespace {

struct ConvBN {
  torch::nn::Conv2d conv{torch::nn::Conv2dOptions(3, 4, 3).stride(2).padding(1).bias(true)};
  DualBatchNorm2d bn{4};

  ConvBN() {
    torch::manual_seed(7);
    torch::NoGradGuard no_grad;
    for (auto* b : {&bn->weight, &bn->twin->weight}) b->uniform_(0.5, 1.5);
    for (auto* b : {&bn->bias, &bn->twin->bias, &bn->running_mean, &bn->twin->running_mean}) b->normal_();
    for (auto* b : {&bn->running_var, &bn->twin->running_var}) b->uniform_(0.5, 2);
    conv->eval();
    bn->eval();
  }
  torch::Tensor unfolded(const torch::Tensor& x, BNBranch branch) {
    return bn->forward(conv->forward(x), branch);
  }
};

// Folded (frozen parameters) and unfolded must agree in value and in the input's gradient.
TEST(ConvThenBatchNorm, FoldedEqualsConvolutionThenBatchNorm) {
  ConvBN m;
  const auto x = torch::randn({2, 3, 9, 9}, torch::kDouble).requires_grad_(true);
  m.conv->to(torch::kDouble);
  m.bn->to(torch::kDouble);
  const auto upstream = torch::randn({2, 4, 5, 5}, torch::kDouble);
  for (const auto branch : {BNBranch::Clean, BNBranch::Adv}) {
    const auto expected = m.unfolded(x, branch);
    const auto expected_grad = torch::autograd::grad({(expected * upstream).sum()}, {x})[0];
    for (auto& p : m.conv->parameters()) p.requires_grad_(false);
    for (auto& p : m.bn->parameters()) p.requires_grad_(false);
    const auto folded = conv_then_batch_norm(*m.conv, *m.bn, x, branch);
    const auto grad = torch::autograd::grad({(folded * upstream).sum()}, {x})[0];
    EXPECT_TRUE(torch::allclose(folded, expected, 1e-12, 1e-12));
    EXPECT_TRUE(torch::allclose(grad, expected_grad, 1e-12, 1e-12));
    for (auto& p : m.conv->parameters()) p.requires_grad_(true);
    for (auto& p : m.bn->parameters()) p.requires_grad_(true);
  }
}

// A trainable convolution before a frozen eval-mode BN still receives its gradient.
TEST(ConvThenBatchNorm, TrainableConvolutionKeepsItsGradient) {
  ConvBN m;
  for (auto& p : m.bn->parameters()) p.requires_grad_(false);
  conv_then_batch_norm(*m.conv, *m.bn, torch::randn({2, 3, 9, 9}), BNBranch::Clean).pow(2).sum().backward();
  ASSERT_TRUE(m.conv->weight.grad().defined());
  EXPECT_GT(m.conv->weight.grad().abs().sum().item<float>(), 0);
}

// Under no_grad (inference) the result is the same whichever path is taken.
TEST(ConvThenBatchNorm, InferenceEqualsConvolutionThenBatchNorm) {
  ConvBN m;
  const auto x = torch::randn({2, 3, 9, 9});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(conv_then_batch_norm(*m.conv, *m.bn, x, BNBranch::Clean),
                              m.unfolded(x, BNBranch::Clean), 1e-5, 1e-5));
}

// Under bf16 autocast the BN receives the convolution's bfloat16 output and runs unfolded; the
// pair must do the same rather than fold the BN into float32 weights of a bfloat16 convolution.
TEST(ConvThenBatchNorm, UnderBf16AutocastEqualsConvolutionThenBatchNorm) {
  ConvBN m;
  const auto x = torch::randn({2, 3, 9, 9});
  torch::NoGradGuard no_grad;
  const AutocastScope autocast(Precision::BF16, torch::kCPU);
  const auto expected = m.unfolded(x, BNBranch::Adv);
  const auto fused = conv_then_batch_norm(*m.conv, *m.bn, x, BNBranch::Adv);
  EXPECT_EQ(fused.scalar_type(), expected.scalar_type());
  EXPECT_TRUE(torch::equal(fused, expected)) << (fused.to(torch::kFloat) - expected.to(torch::kFloat)).abs().max();
}

}  // namespace
}  // namespace advbn
