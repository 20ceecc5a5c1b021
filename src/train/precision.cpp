#include "advbn/train/precision.h"

#include <ATen/autocast_mode.h>

#include "advbn/error.h"

namespace advbn {

Precision parse_precision(const std::string& name) {
  if (name == "fp32") return Precision::FP32;
  if (name == "fp64") return Precision::FP64;
  if (name == "bf16") return Precision::BF16;
  throw Error("unknown precision '" + name + "' (expected fp32, fp64 or bf16)");
}

std::string to_string(Precision precision) {
  switch (precision) {
    case Precision::FP32: return "fp32";
    case Precision::FP64: return "fp64";
    case Precision::BF16: return "bf16";
  }
  return "";
}

torch::Dtype weight_dtype(Precision precision) {
  return precision == Precision::FP64 ? torch::kFloat64 : torch::kFloat32;
}

AutocastScope::AutocastScope(Precision precision, torch::Device device)
    : active_(precision == Precision::BF16), cuda_(device.is_cuda()) {
  if (!active_) return;
  was_enabled_ = cuda_ ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
  previous_dtype_ = cuda_ ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
  if (cuda_) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  } else {
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // The cache of weights cast to bf16 is valid only until the next optimizer step.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (cuda_) {
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(previous_dtype_);
  } else {
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(previous_dtype_);
  }
}

}  // namespace advbn
