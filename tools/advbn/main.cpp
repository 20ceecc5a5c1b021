// advbn: make image classifiers robust to domain shift with Adversarial Batch Normalization.
#include <CLI/CLI.hpp>

#include "advbn/commands.h"
#include "advbn/run_app.h"
#include "advbn/shift_commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "advbn: Adversarial Batch Normalization — train classifiers robust to domain shift and "
      "measure that robustness"};
  app.set_version_flag("--version", std::string("advbn ") + ADVBN_VERSION);
  app.require_subcommand(1);
  advbn::cli::add_convert_command(app);
  advbn::cli::add_predict_command(app);
  advbn::cli::add_attack_command(app);
  advbn::cli::add_train_command(app);
  advbn::cli::add_eval_command(app);
  advbn::cli::add_divergence_command(app);
  advbn::cli::add_demo_command(app);
  advbn::cli::add_corrupt_command(app);
  advbn::cli::add_filter_command(app);
  advbn::cli::add_bench_command(app);
  advbn::cli::add_autoencoder_command(app);
  advbn::cli::add_stylize_command(app);
  advbn::cli::add_visualize_command(app);
  advbn::cli::add_make_advbn_dataset_command(app);
  return advbn::cli::run_app(app, argc, argv, "advbn");
}
