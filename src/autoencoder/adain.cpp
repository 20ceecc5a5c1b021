#include "advbn/autoencoder/adain.h"

#include <torch/torch.h>

#include "advbn/core/feature_perturbation.h"
#include "advbn/error.h"

namespace advbn {

torch::Tensor adain(const torch::Tensor& content, const torch::Tensor& style) {
  check_instance_features(content, "AdaIN (content)");
  check_instance_features(style, "AdaIN (style)");
  if (content.size(1) != style.size(1) || (style.size(0) != 1 && style.size(0) != content.size(0))) {
    throw Error("AdaIN: content " + c10::str(content.sizes()) + " and style " + c10::str(style.sizes()) +
                " need the same channels and one style per content image (or one for all)");
  }
  const auto c = instance_stats(content, kAdaINEpsilon);
  const auto s = instance_stats(style, kAdaINEpsilon);
  return (content - c.mean) / c.std * s.std + s.mean;
}

torch::Tensor adain_blend(const torch::Tensor& content, const torch::Tensor& style, double alpha) {
  if (!(alpha >= 0 && alpha <= 1)) throw Error("the style strength alpha must lie in [0, 1], got " + std::to_string(alpha));
  return alpha * adain(content, style) + (1 - alpha) * content;
}

}  // namespace advbn
