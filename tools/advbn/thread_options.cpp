#include "advbn/thread_options.h"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <thread>

namespace advbn::cli {

void add_threads_option(CLI::App& command, int& threads) {
  command.add_option("--threads", threads, "Worker threads (0 = all cores)")->check(CLI::NonNegativeNumber);
}

int apply_opencv_threads(int threads) {
  const int count = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cv::setNumThreads(count);
  return count;
}

}  // namespace advbn::cli
