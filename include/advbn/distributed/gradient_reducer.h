#pragma once
// What a training step tells whoever combines gradients across processes (data parallelism).
// The step brackets the backward pass that completes its gradients, so the reducer can start
// communication during that pass and must finish it before the update; and every decision the
// step takes on a loss value is taken by all processes together, so that none of them waits in
// a collective the others skipped.
namespace advbn {

class GradientReducer {
 public:
  virtual ~GradientReducer() = default;
  // True when `loss` is finite on every process.
  virtual bool all_finite(double loss) = 0;
  virtual void before_final_backward() = 0;
  virtual void after_final_backward() = 0;
};

}  // namespace advbn
