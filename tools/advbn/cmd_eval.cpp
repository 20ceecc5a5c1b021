// advbn eval: top-1/top-5 and loss of a network on a dataset, with the paper's preprocessing.
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <iostream>

#include "advbn/commands.h"
#include "advbn/data/dataset.h"
#include "advbn/data/loader.h"
#include "advbn/data/normalization.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/data/subset.h"
#include "advbn/error.h"
#include "advbn/eval/evaluate.h"
#include "advbn/network_options.h"
#include "advbn/runtime_options.h"
#include "advbn/train/progress.h"

namespace advbn::cli {

namespace {
struct EvalParams {
  NetworkOptions network;
  std::string data;
  std::string split = "test";
  std::string branch = "clean";
  std::string json;
  int64_t batch = 100;
  int image_size = 0;
  RuntimeOptions runtime;
};
}  // namespace

void add_eval_command(CLI::App& app) {
  auto params = std::make_shared<EvalParams>();
  auto* cmd = app.add_subcommand("eval", "Top-1/top-5 accuracy and loss of a network on a dataset");
  add_network_options(*cmd, params->network);
  cmd->add_option("--data", params->data, "IDX folder, CIFAR binary folder or image folder")->required();
  cmd->add_option("--split", params->split, "train or test (IDX and CIFAR)")->capture_default_str()
      ->check(CLI::IsMember({"train", "test"}));
  cmd->add_option("--branch", params->branch, "BN branch: clean or adv")->capture_default_str()
      ->check(CLI::IsMember({"clean", "adv"}));
  cmd->add_option("--batch", params->batch, "Batch size")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--image-size", params->image_size,
                  "Input size (0: Resize 256 + CenterCrop 224, or native for ≤ 64 px)")
      ->capture_default_str();
  cmd->add_option("--json", params->json, "Write the result as JSON to this file");
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params, cmd] {
    const auto device = apply_runtime_options(params->runtime);
    const auto dataset = data::open_dataset(
        params->data, params->split == "train" ? data::Split::Train : data::Split::Test);
    auto network = load_network(*cmd, params->network);
    if (network->spec().num_classes < dataset->num_classes()) {
      throw Error(params->data + " has " + std::to_string(dataset->num_classes()) +
                  " classes but the network has " + std::to_string(network->spec().num_classes) +
                  " outputs");
    }
    network->to(device);
    const auto probe = dataset->get(0).image;
    const int native = std::max(probe.rows, probe.cols);
    const bool small = native <= 64;
    const int size = params->image_size > 0 ? params->image_size : (small ? native : 224);
    data::Loader loader(dataset,
                        data::eval_pipeline(size, small, data::imagenet_normalization()),
                        {static_cast<size_t>(params->batch), false, false,
                         std::max(1, torch::get_num_threads()), 4, 0});
    ProgressReporter progress(std::cerr, ProgressReporter::stderr_is_terminal());
    const auto result =
        evaluate(*network, loader, parse_bn_branch(params->branch), device, &progress);
    const nlohmann::json report{{"data", params->data},     {"images", result.count},
                                {"top1", result.top1},      {"top5", result.top5},
                                {"loss", result.loss},      {"branch", params->branch},
                                {"arch", network->arch()}};
    progress.end("");
    std::cout << "top-1 " << result.top1 << "%  top-5 " << result.top5 << "%  loss " << result.loss
              << "  (" << result.count << " images)\n";
    if (!params->json.empty()) {
      std::ofstream out(params->json);
      out << report.dump(2) << "\n";
      if (!out) throw Error("cannot write " + params->json);
    }
  });
}

}  // namespace advbn::cli
