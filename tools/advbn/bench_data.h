#pragma once
// advbn bench data: images per second of the training data pipeline on an image folder.
#include <CLI/CLI.hpp>

namespace advbn::cli {

void add_data_benchmark(CLI::App& bench);

}  // namespace advbn::cli
