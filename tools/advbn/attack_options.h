#pragma once
// The AdvBN attack's options, declared once for the commands that run it (train, attack).
#include <CLI/CLI.hpp>

#include "advbn/core/advbn_options.h"

namespace advbn::cli {

// --eps, --step-size, --steps (--pgd-steps), --perturbation, --no-relu-clamp, --random-start.
// --no-relu-clamp clears options.relu_clamp; the command still clamps only where the cut follows
// a ReLU.
void add_advbn_options(CLI::App& command, AdvBNOptions& options);

}  // namespace advbn::cli
