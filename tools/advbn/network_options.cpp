#include "advbn/network_options.h"

#include "advbn/enum_option.h"
#include "advbn/models/weights.h"

namespace advbn::cli {

void add_network_spec_options(CLI::App& command, NetworkSpec& spec) {
  std::string architectures;
  for (const auto& arch : supported_architectures()) {
    architectures += (architectures.empty() ? "" : ", ") + arch;
  }
  command.add_option("--arch", spec.arch, "Architecture: " + architectures)
      ->capture_default_str();
  spec.num_classes = 0;
  command.add_option("--num-classes", spec.num_classes,
                     "Number of output classes (0: read from the weights, or the data when training)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  add_enum_option(command, "--stem", spec.stem, "imagenet (7×7/2 + max-pool) or small (3×3/1)", {"imagenet", "small"},
                  parse_stem, [](Stem stem) { return to_string(stem); });
  command.add_option("--width", spec.width, "Width multiplier of every stage")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command.add_option_function<std::string>(
      "--input-mean", [&spec](const std::string& v) { spec.normalization.mean = parse_channel_values(v); },
      "R,G,B means the network's inputs are normalised with (default ImageNet's 0.485,0.456,0.406; "
      ".safetensors weights carry their own)");
  command.add_option_function<std::string>(
      "--input-std",
      [&spec](const std::string& v) {
        spec.normalization.std = parse_channel_values(v);
        validate_normalization(spec.normalization);
      },
      "R,G,B standard deviations of that normalisation (default ImageNet's 0.229,0.224,0.225)");
}

void add_branch_option(CLI::App& command, std::string& branch, const std::string& what) {
  command.add_option("--branch", branch, "BN branch" + (what.empty() ? "" : " " + what) + ": clean or adv")
      ->capture_default_str()
      ->check(CLI::IsMember({"clean", "adv"}));
}

void add_network_options(CLI::App& command, NetworkOptions& options, bool weights_required,
                         const std::string& weights_flags) {
  add_network_spec_options(command, options.spec);
  auto* weights = command.add_option(
      weights_flags, options.weights,
      "Weights: torchvision .pth/.pt (zip or legacy) or .safetensors (description read from it)");
  if (weights_required) weights->required();
}

StagedNetwork load_network(const CLI::App& command, const NetworkOptions& options) {
  if (options.weights.empty()) return create_network(options.spec);
  return advbn::load_network(options.spec, options.weights, command.count("--arch") > 0);
}

}  // namespace advbn::cli
