#include "advbn/runtime_options.h"

#include <malloc.h>
#include <torch/torch.h>

#include <climits>

#include "advbn/error.h"
#include "advbn/memory/cpu_block_cache.h"
#include "advbn/thread_options.h"

namespace advbn::cli {

void add_runtime_options(CLI::App& command, RuntimeOptions& options, bool with_device) {
  add_threads_option(command, options.threads);
  if (with_device) {
    command.add_option("--device", options.device, "cpu, or cuda[:i] with a CUDA build of LibTorch")
        ->capture_default_str();
  }
}

namespace {

// Tensors of 1 MiB and more come from the block cache (install_cpu_block_cache). What remains
// for glibc — small tensors, decoded images — is kept too: serving up to 32 MiB from the heap,
// never trimming it and growing it 256 MiB at a time avoids a page fault per allocation, which
// took 16% off a ResNet-50 training step before the cache existed (docs/performance.md). The
// same settings exist as MALLOC_*_ variables.
void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  mallopt(M_TOP_PAD, 256 << 20);
}

}  // namespace

torch::Device apply_runtime_options(const RuntimeOptions& options) {
  if (options.block_cache) {
    keep_freed_memory();
    install_cpu_block_cache();
  }
  torch::set_num_threads(apply_opencv_threads(options.threads));
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(options.device);
  } catch (const c10::Error&) {
    throw Error("unknown device '" + options.device + "' (expected cpu or cuda[:i])");
  }
  if (device.is_cuda() && !torch::cuda::is_available()) {
    throw Error("--device " + options.device + ": this build of LibTorch has no usable CUDA device");
  }
  return device;
}

}  // namespace advbn::cli
