#pragma once
// Adaptive instance normalisation (Huang & Belongie, ICCV 2017): the content features take the
// per-instance, per-channel mean and standard deviation of the style features (instance_stats of
// core/feature_perturbation.h: unbiased variance over H × W, + 1e-5 under the square root).
#include <torch/types.h>

namespace advbn {

inline constexpr double kAdaINEpsilon = 1e-5;

// σ(s)·(c − μ(c))/σ(c) + μ(s). `style` holds one image per content image, or one for all.
// Throws advbn::Error for features that are not N × C × H × W with H × W > 1, or that disagree.
torch::Tensor adain(const torch::Tensor& content, const torch::Tensor& style);

// The stylisation target at strength α ∈ [0, 1]: α·AdaIN(c, s) + (1 − α)·c.
torch::Tensor adain_blend(const torch::Tensor& content, const torch::Tensor& style, double alpha);

}  // namespace advbn
