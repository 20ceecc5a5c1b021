#pragma once
// The end-to-end demonstration on Fashion-MNIST: pretrain a small ResNet, fine-tune it with and
// without AdvBN from the same checkpoint under the same budget, and test all models on
// corruptions and filters that none of them saw in training.
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <ostream>
#include <string>
#include <vector>

namespace advbn {

struct DemoOptions {
  bool quick = false;  // a small budget: minutes instead of tens of minutes
  std::string out = "advbn-demo";
  std::string data = "/usr/share/datasets/fashion-mnist";
  uint64_t seed = 0;
  int64_t test_images = 0;  // 0: the plan's default; also the segmentation demo's scenes per test set
  std::string cut;          // empty: the plan's default
  double epsilon = -1;      // < 0: the plan's default (steps follow m = floor(ε/0.2) + 1)
  // Test the models on the held-out validation part of the training data instead of the test
  // set: for choosing settings without looking at test numbers.
  bool on_validation = false;
  torch::Device device = torch::kCPU;
  bool interactive = false;
  // Methods to compare under the fine-tuning budget (names of train_method_names(), or
  // "advbn_cheap": AdvBN attacking every 3rd step, warm-started; "advbn_bf16": its attack passes in
  // bf16); empty: no comparison.
  std::vector<std::string> compare;
  int seeds = 1;  // fine-tuning seeds per compared method: options.seed, options.seed + 1, …
  // Also the segmentation demo (segmentation_demo.h), as the report's "segmentation" section.
  bool segmentation = false;
  // Style images of the Stylized-Fashion-MNIST test set (autoencoder_demo.h).
  std::string styles = "/usr/share/backgrounds/gnome";
};

// The methods `--compare` without names compares: every training method and AdvBN's cheaper schedule.
std::vector<std::string> default_comparison_methods();

// Runs the demo (reusing finished runs in `out` whose configuration matches) and writes
// out/report.json, out/report.html, out/plots/ and out/examples/. Returns the report.
nlohmann::json run_demo(const DemoOptions& options, std::ostream& log);

}  // namespace advbn
