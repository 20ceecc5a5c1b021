#pragma once
// The image-shift subcommands, which need OpenCV only: linked into advbn and into advbn-shift.
#include <CLI/CLI.hpp>

namespace advbn::cli {

void add_corrupt_command(CLI::App& app);
void add_filter_command(CLI::App& app);

}  // namespace advbn::cli
