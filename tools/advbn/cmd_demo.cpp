// advbn demo: the whole method end to end on Fashion-MNIST, with a report.
#include <algorithm>
#include <iostream>

#include "advbn/commands.h"
#include "advbn/demo/demo.h"
#include "advbn/runtime_options.h"
#include "advbn/report/progress.h"

namespace advbn::cli {

void add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  auto runtime = std::make_shared<RuntimeOptions>();
  auto* cmd = app.add_subcommand(
      "demo",
      "Does AdvBN make a model robust? Pretrains a small ResNet on Fashion-MNIST, fine-tunes it "
      "with and without AdvBN, tests both on 15 corruptions x 5 severities, on filters, on Stylized-Fashion-MNIST and on "
      "Fashion-MNIST-AdvBN (made by an autoencoder), and writes report.json + report.html");
  cmd->add_flag("--quick", options->quick, "Small budget (119 s on a quiet 2-core machine, measured 2026-12-04)");
  cmd->add_option("--out", options->out, "Output folder (finished runs in it are reused)")
      ->capture_default_str();
  cmd->add_option("--data", options->data, "Fashion-MNIST IDX folder")->capture_default_str();
  cmd->add_option("--seed", options->seed, "Random seed")->capture_default_str();
  cmd->add_option("--test-images", options->test_images, "Test images per shift, and scenes per segmentation test set (0: the plan's)")
      ->capture_default_str();
  cmd->add_option("--cut", options->cut, "Cut of both fine-tuning runs (default: layer1)");
  cmd->add_option("--eps", options->epsilon, "AdvBN ε (default 1.1; steps = floor(ε/0.2) + 1)");
  cmd->add_flag("--on-validation", options->on_validation,
                "Test on the validation part of the training data (to choose settings)");
  auto* compare =
      cmd->add_option("--compare", options->compare,
                      "Also fine-tune these methods from the same checkpoint under the same budget and "
                      "compare them (table and robustness-vs-compute plot); without names: all of standard, "
                      "advbn, advbn_cheap (attack every 3rd step, warm start), advbn_bf16 (attack passes in bf16), "
                      "mixstyle, dsu, padain, crossnorm, advprop")
          ->expected(0, -1);
  cmd->add_option("--seeds", options->seeds, "Fine-tuning seeds per compared method (mean ± std in the report)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--segmentation", options->segmentation,
                "Also segmentation: an FCN trained on scenes of Fashion-MNIST items on flat backgrounds, fine-tuned "
                "with and without AdvBN, scored (mIoU) on other backgrounds, corruptions and filters");
  cmd->add_option("--styles", options->styles,
                  "Style images of the Stylized-Fashion-MNIST test set (any image files under this folder)")
      ->capture_default_str();
  add_runtime_options(*cmd, *runtime);
  cmd->callback([options, runtime, compare] {
    // A bare --compare reaches here as one empty name.
    auto& names = options->compare;
    names.erase(std::remove(names.begin(), names.end(), std::string()), names.end());
    if (compare->count() > 0 && names.empty()) names = default_comparison_methods();
    options->device = apply_runtime_options(*runtime);
    options->interactive = ProgressReporter::stderr_is_terminal();
    run_demo(*options, std::cerr);
  });
}

}  // namespace advbn::cli
