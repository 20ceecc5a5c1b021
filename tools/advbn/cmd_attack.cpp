// advbn attack: the AdvBN perturbation of feature statistics at a cut, for one batch.
#include <torch/torch.h>

#include <iostream>

#include "advbn/attack_options.h"
#include "advbn/commands.h"
#include "advbn/train/training_step.h"
#include "advbn/io/safetensors.h"
#include "advbn/network_options.h"
#include "advbn/runtime_options.h"
#include "advbn/tensor_file.h"

namespace advbn::cli {

namespace {
struct AttackParams {
  NetworkOptions network;
  std::string cut = "conv2_3";
  std::string input, output;
  AdvBNOptions advbn;
  uint64_t seed = 0;
  RuntimeOptions runtime;
};
}  // namespace

void add_attack_command(CLI::App& app) {
  auto params = std::make_shared<AttackParams>();
  auto* cmd = app.add_subcommand(
      "attack",
      "Run AdvBN's PGD on the feature statistics at --cut for a batch (`images`, `labels`); "
      "writes delta_mu, delta_sigma and the loss before and after each step");
  add_network_options(*cmd, params->network);
  cmd->add_option("--cut", params->cut, "Block ending the frozen prefix (layer1, layer2.3, conv2_3…)")
      ->capture_default_str();
  cmd->add_option("--input", params->input, "safetensors with `images` and `labels`")->required();
  cmd->add_option("--output", params->output, "safetensors to write the result to")->required();
  add_advbn_options(*cmd, params->advbn);
  cmd->add_option("--seed", params->seed, "Seed for --random-start")->capture_default_str();
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params, cmd] {
    const auto device = apply_runtime_options(params->runtime);
    torch::manual_seed(params->seed);
    auto network = load_network(*cmd, params->network);
    network->set_cut(params->cut);
    const auto images = read_image_batch(params->input).to(device);
    const auto labels =
        read_labels(params->input, images.size(0), network->spec().num_classes).to(device);
    network->to(device);
    network->freeze_prefix();
    // As in the authors' code: the rest of the network runs in eval mode on the adversarial BNs.
    const auto result = attack_at_cut(*network, params->advbn, images, labels);

    const auto losses = torch::tensor(std::vector<float>(result.losses.begin(), result.losses.end()));
    io::write_safetensors(params->output, {{"delta_mu", result.delta_mu.to(torch::kCPU)},
                                           {"delta_sigma", result.delta_sigma.to(torch::kCPU)},
                                           {"loss", losses}});
    std::cerr << "loss " << result.losses.front() << " -> " << result.losses.back() << " after "
              << params->advbn.steps << " steps; wrote " << params->output << "\n";
  });
}

}  // namespace advbn::cli
