#pragma once
// The arithmetic a training run uses. fp32 is the default; fp64 makes runs that split their sums
// differently (threads, ranks) agree to rounding; bf16 runs convolutions and matrix products in
// bfloat16 through autocast, with weights, optimizer state and AdvBN's statistics in float32.
#include <torch/types.h>

#include <string>

namespace advbn {

enum class Precision { FP32, FP64, BF16 };

Precision parse_precision(const std::string& name);  // "fp32" | "fp64" | "bf16"
std::string to_string(Precision precision);

// The dtype of weights and input batches.
torch::Dtype weight_dtype(Precision precision);

// While alive, bf16 autocast is on for `device` (CPU or CUDA) when `precision` is BF16; the
// previous state comes back afterwards. Autocast is thread-local: open it on the training thread.
class AutocastScope {
 public:
  AutocastScope(Precision precision, torch::Device device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Undefined;
};

}  // namespace advbn
