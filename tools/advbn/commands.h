#pragma once
// Every subcommand registers itself on the root app. Its callback validates the parsed options into
// a params struct and calls a run_* function that tests can also call in-process. The image-shift
// commands, which need no LibTorch, are declared in shift_commands.h.
#include <CLI/CLI.hpp>

namespace advbn::cli {

void add_convert_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_attack_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_divergence_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_autoencoder_command(CLI::App& app);
void add_stylize_command(CLI::App& app);
void add_visualize_command(CLI::App& app);
void add_make_advbn_dataset_command(CLI::App& app);

}  // namespace advbn::cli
