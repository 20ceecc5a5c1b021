#include "advbn/attack_options.h"

namespace advbn::cli {

void add_advbn_options(CLI::App& command, AdvBNOptions& options) {
  command.add_option("--eps", options.epsilon, "ε: AdvBN bound")->capture_default_str();
  command.add_option("--step-size", options.step_size, "τ: AdvBN PGD step")->capture_default_str();
  command.add_option("--steps,--pgd-steps", options.steps, "m: AdvBN PGD steps")->capture_default_str();
  command
      .add_option_function<std::string>(
          "--perturbation", [&options](const std::string& name) { options.kind = parse_perturbation_kind(name); },
          "multiplicative or additive")
      ->default_str(to_string(options.kind))
      ->check(CLI::IsMember({"multiplicative", "additive"}));
  command.add_flag_callback(
      "--no-relu-clamp", [&options] { options.relu_clamp = false; },
      "Do not clamp perturbed features at 0 (default: clamp where the cut follows a ReLU)");
  command.add_flag("--random-start", options.random_start, "Start δ uniformly inside the bound");
}

}  // namespace advbn::cli
