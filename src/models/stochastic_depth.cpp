#include "advbn/models/stochastic_depth.h"

#include <torch/torch.h>

#include <string>
#include <vector>

#include "advbn/error.h"

namespace advbn {

torch::Tensor stochastic_depth_rows(const torch::Tensor& residual, double drop_probability,
                                    bool training) {
  if (drop_probability < 0 || drop_probability > 1) {
    throw Error("stochastic depth: drop probability must lie in [0, 1], got " +
                std::to_string(drop_probability));
  }
  if (!training || drop_probability == 0) return residual;
  const double survival = 1 - drop_probability;
  std::vector<int64_t> mask_shape(residual.dim(), 1);
  mask_shape[0] = residual.size(0);
  auto mask = torch::empty(mask_shape, residual.options()).bernoulli_(survival);
  // With p = 1 every row is dropped; there is nothing to rescale.
  if (survival > 0) mask.div_(survival);
  return residual * mask;
}

}  // namespace advbn
