// advbn convert: weights between torchvision .pth and the project's .safetensors.
#include <torch/torch.h>

#include <iostream>

#include "advbn/commands.h"
#include "advbn/models/weights.h"
#include "advbn/network_options.h"
#include "advbn/runtime_options.h"

namespace advbn::cli {

namespace {
struct ConvertParams {
  NetworkOptions network;
  std::string output;
  std::string branch = "clean";
  RuntimeOptions runtime;
};
}  // namespace

void add_convert_command(CLI::App& app) {
  auto params = std::make_shared<ConvertParams>();
  auto* cmd = app.add_subcommand(
      "convert",
      "Convert weights: .pth (torchvision state dict, one BN branch) <-> .safetensors (both "
      "branches + network description)");
  add_network_options(*cmd, params->network, /*weights_required=*/true, "--in,--weights");
  cmd->add_option("--out", params->output, "Output file (.pth, .pt or .safetensors)")->required();
  add_branch_option(*cmd, params->branch, "written to a .pth");
  add_runtime_options(*cmd, params->runtime, /*with_device=*/false);
  cmd->callback([params, cmd] {
    apply_runtime_options(params->runtime);
    auto network = load_network(*cmd, params->network);
    save_network(*network, params->output, parse_bn_branch(params->branch));
    std::cerr << "wrote " << params->output << "\n";
  });
}

}  // namespace advbn::cli
