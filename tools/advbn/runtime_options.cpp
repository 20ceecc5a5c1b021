#include "advbn/runtime_options.h"

#include <opencv2/core/utility.hpp>
#include <torch/torch.h>

#include <thread>

#include "advbn/error.h"

namespace advbn::cli {

void add_runtime_options(CLI::App& command, RuntimeOptions& options, bool with_device) {
  command.add_option("--threads", options.threads, "Worker threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
  if (with_device) {
    command.add_option("--device", options.device, "cpu, or cuda[:i] with a CUDA build of LibTorch")
        ->capture_default_str();
  }
}

torch::Device apply_runtime_options(const RuntimeOptions& options) {
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  cv::setNumThreads(threads);
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
