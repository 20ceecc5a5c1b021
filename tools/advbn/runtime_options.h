#pragma once
// Options every subcommand shares: worker threads and compute device.
#include <CLI/CLI.hpp>
#include <torch/types.h>

#include <string>

namespace advbn::cli {

struct RuntimeOptions {
  int threads = 0;  // 0 = all cores
  std::string device = "cpu";
  // false: LibTorch's own CPU allocator over malloc (glibc's, or one preloaded such as jemalloc or
  // mimalloc) instead of the block cache, and glibc's default settings; for allocator benchmarks.
  bool block_cache = true;
};

void add_runtime_options(CLI::App& command, RuntimeOptions& options, bool with_device = true);

// Sets LibTorch's and OpenCV's thread pools (LibTorch would otherwise start with one thread),
// keeps freed tensor memory in the process (see keep_freed_memory) and returns the validated device.
torch::Device apply_runtime_options(const RuntimeOptions& options);

}  // namespace advbn::cli
