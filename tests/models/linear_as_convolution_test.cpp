#include "advbn/models/linear_as_convolution.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace advbn {
namespace {

// Batch 32 and 2 threads take oneDNN's path on CPU, as a training step does.
TEST(LinearAsConvolution, MatchesTheLinearLayerWithGradients) {
  torch::manual_seed(3);
  const int threads = torch::get_num_threads();
  torch::set_num_threads(2);
  torch::nn::Linear layer(256, 40);
  const auto x = torch::randn({32, 256}, torch::requires_grad());
  const auto weights = torch::randn({32, 40});

  const auto expected = layer->forward(x);
  const auto expected_grads = torch::autograd::grad({(expected * weights).sum()},
                                                    {x, layer->weight, layer->bias});
  const auto actual = linear_as_convolution(*layer, x);
  const auto actual_grads = torch::autograd::grad({(actual * weights).sum()},
                                                  {x, layer->weight, layer->bias});
  torch::set_num_threads(threads);

  ASSERT_EQ(actual.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5));
  for (size_t i = 0; i < expected_grads.size(); ++i) {
    EXPECT_TRUE(torch::allclose(actual_grads[i], expected_grads[i], 1e-5, 1e-4)) << i;
  }
}

}  // namespace
}  // namespace advbn
