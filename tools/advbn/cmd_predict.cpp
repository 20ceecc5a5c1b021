// advbn predict: logits of a network for a batch of normalised images.
#include <torch/torch.h>

#include <iostream>

#include "advbn/commands.h"
#include "advbn/error.h"
#include "advbn/io/safetensors.h"
#include "advbn/network_options.h"
#include "advbn/runtime_options.h"
#include "advbn/tensor_file.h"

namespace advbn::cli {

namespace {
struct PredictParams {
  NetworkOptions network;
  std::string input, output;
  std::string branch = "clean";
  RuntimeOptions runtime;
};
}  // namespace

void add_predict_command(CLI::App& app) {
  auto params = std::make_shared<PredictParams>();
  auto* cmd = app.add_subcommand(
      "predict", "Logits for images: --input holds `images` (N×3×H×W float32, normalised)");
  add_network_options(*cmd, params->network);
  cmd->add_option("--input", params->input, "safetensors with `images`")->required();
  cmd->add_option("--output", params->output, "safetensors to write `logits` (N×K float32) to")
      ->required();
  add_branch_option(*cmd, params->branch);
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params, cmd] {
    const auto device = apply_runtime_options(params->runtime);
    const auto images = read_image_batch(params->input);
    auto network = load_network(*cmd, params->network);
    network->to(device);
    network->eval();
    torch::NoGradGuard no_grad;
    const auto logits =
        network->forward(images.to(device), parse_bn_branch(params->branch)).to(torch::kCPU);
    io::write_safetensors(params->output, {{"logits", logits.contiguous()}});
    std::cerr << "wrote logits " << logits.sizes() << " to " << params->output << "\n";
  });
}

}  // namespace advbn::cli
