#pragma once
// --threads, for the commands that need no LibTorch (corrupt, filter): OpenCV's thread pool only.
#include <CLI/CLI.hpp>

namespace advbn::cli {

void add_threads_option(CLI::App& command, int& threads);

// `threads` (0: all cores) for OpenCV's pool; returns the count used.
int apply_opencv_threads(int threads);

}  // namespace advbn::cli
