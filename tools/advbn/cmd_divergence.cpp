// advbn divergence: feature divergence between two data sets (paper §5.4), per block, for one or
// more models; data set B may be data set A under a shift generated on the fly.
#include <torch/torch.h>

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <set>

#include "advbn/commands.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/subset.h"
#include "advbn/error.h"
#include "advbn/eval/benchmark_suites.h"
#include "advbn/eval/feature_divergence.h"
#include "advbn/models/weights.h"
#include "advbn/network_options.h"
#include "advbn/report/divergence_plot.h"
#include "advbn/report/json_file.h"
#include "advbn/runtime_options.h"
#include "advbn/report/progress.h"

namespace advbn::cli {

namespace {

namespace fs = std::filesystem;

struct DivergenceParams {
  NetworkSpec spec;
  std::vector<std::string> weights;
  std::vector<std::string> names;
  std::string data_a;
  std::string data_b;
  std::string shift_b;
  std::string split = "test";
  std::string cut;
  std::vector<std::string> blocks;
  std::string branch = "clean";
  std::string json;
  std::string plot;
  int64_t batch = 100;
  int image_size = 0;
  int64_t limit = 0;
  uint64_t seed = 0;
  RuntimeOptions runtime;
};

// Each model's name: its file name without extension, or with the folder when names would repeat
// (runs/advbn/best.safetensors and runs/standard/best.safetensors become advbn/best, standard/best).
std::vector<std::string> model_names(const DivergenceParams& params) {
  if (!params.names.empty()) {
    if (params.names.size() != params.weights.size()) {
      throw Error("--names gives " + std::to_string(params.names.size()) + " names for " +
                  std::to_string(params.weights.size()) + " --weights files");
    }
    return params.names;
  }
  std::vector<std::string> stems;
  for (const auto& w : params.weights) stems.push_back(fs::path(w).stem().string());
  if (std::set<std::string>(stems.begin(), stems.end()).size() == stems.size()) return stems;
  std::vector<std::string> qualified;
  for (const auto& w : params.weights) {
    const fs::path path(w);
    qualified.push_back((path.parent_path().filename() / path.stem()).string());
  }
  return qualified;
}

FeatureSource open_source(const std::string& path, const DivergenceParams& params,
                          const data::Normalization& normalization, const char* flag) {
  auto dataset = data::open_dataset(path, params.split == "train" ? data::Split::Train : data::Split::Test);
  if (dataset->size() == 0) throw Error(std::string(flag) + " " + path + " holds no images");
  if (params.limit > 0) dataset = data::random_subset(dataset, static_cast<size_t>(params.limit), params.seed);
  const auto pipeline = suite_pipeline(Suite::Folder, *dataset, params.image_size, normalization);
  return {path, dataset, pipeline};
}

void print_table(const report::DivergenceComparison& comparison) {
  std::cout << "feature divergence, " << comparison.data_a << " (" << comparison.images_a << " images) vs "
            << comparison.data_b << " (" << comparison.images_b << " images)\n"
            << std::left << std::setw(16) << "block" << std::right;
  for (const auto& curve : comparison.models) std::cout << std::setw(std::max<int>(12, curve.model.size() + 2)) << curve.model;
  std::cout << "\n";
  for (size_t k = 0; k < comparison.blocks.size(); ++k) {
    std::cout << std::left << std::setw(16) << comparison.blocks[k] << std::right;
    for (const auto& curve : comparison.models) {
      std::cout << std::setw(std::max<int>(12, curve.model.size() + 2)) << std::setprecision(4) << curve.divergence[k];
    }
    std::cout << "\n";
  }
}

void run_divergence(const DivergenceParams& params, const CLI::App& command) {
  if (params.data_b.empty() == params.shift_b.empty()) {
    throw Error("give exactly one of --data-b (a second data set) and --shift-b (data set A under a shift)");
  }
  if (!params.cut.empty() && !params.blocks.empty()) throw Error("give --cut or --blocks, not both");
  // Checked before anything is loaded, so a mistyped shift fails at once.
  const std::optional<Shift> shift =
      params.shift_b.empty() ? std::nullopt : std::optional<Shift>(parse_shift(params.shift_b, params.seed));
  const auto names = model_names(params);
  const BNBranch branch = parse_bn_branch(params.branch);

  const auto device = apply_runtime_options(params.runtime);
  std::vector<StagedNetwork> networks;
  for (const auto& path : params.weights) {
    networks.push_back(load_network(params.spec, path, command.count("--arch") > 0));
    networks.back()->to(device);
  }
  const std::vector<std::string> blocks =
      !params.blocks.empty() ? params.blocks : default_divergence_blocks(*networks.front(), params.cut.empty() ? kNoCut : params.cut);
  // The networks see one stream of batches, so they must expect their inputs normalised alike.
  const auto normalization = networks.front()->spec().normalization;
  for (size_t m = 0; m < networks.size(); ++m) {
    try {
      for (const auto& block : blocks) networks[m]->block_index(block);
    } catch (const Error& e) {
      throw Error(params.weights[m] + ": " + e.what());
    }
    if (networks[m]->spec().normalization != normalization) {
      throw Error(params.weights[m] + " expects inputs normalised differently from " + params.weights.front() +
                  "; measure them in separate runs");
    }
  }

  const auto a = open_source(params.data_a, params, normalization, "--data-a");
  const auto b =
      shift ? shifted_source(a, *shift) : open_source(params.data_b, params, normalization, "--data-b");
  if (a.pipeline.image_size != b.pipeline.image_size) {
    throw Error("--data-a gives " + std::to_string(a.pipeline.image_size) + "-pixel inputs but --data-b " +
                std::to_string(b.pipeline.image_size) + "-pixel ones: pass --image-size to compare both at one size");
  }

  std::vector<ModelUnderTest> models;
  for (size_t m = 0; m < networks.size(); ++m) models.push_back({names[m], networks[m].get(), branch});
  ProgressReporter progress(std::cerr, ProgressReporter::stderr_is_terminal());
  const auto measure = [&](const FeatureSource& source) {
    const auto steps = static_cast<int64_t>((source.dataset->size() + params.batch - 1) / params.batch);
    progress.begin("features of " + source.name, steps, params.batch);
    const auto moments = measure_block_moments(models, blocks, source, static_cast<size_t>(params.batch), device,
                                               [&](int64_t done) { progress.step((done + params.batch - 1) / params.batch, StepStats{0, 0, -1, false});
                                               });
    progress.end("done");
    return moments;
  };
  const auto divergence = block_divergences(measure(a), measure(b));

  report::DivergenceComparison comparison{a.name, b.name, static_cast<int64_t>(a.dataset->size()),
                                          static_cast<int64_t>(b.dataset->size()), blocks, {}};
  for (size_t m = 0; m < models.size(); ++m) comparison.models.push_back({names[m], params.branch, divergence[m]});
  print_table(comparison);
  if (!params.json.empty()) report::write_json_file(params.json, report::to_json(comparison));
  if (!params.plot.empty()) report::write_divergence_plot(comparison, params.plot);
}

}  // namespace

void add_divergence_command(CLI::App& app) {
  auto params = std::make_shared<DivergenceParams>();
  auto* cmd = app.add_subcommand(
      "divergence",
      "Feature divergence between two data sets per block: symmetric KL of Gaussian fits of each channel's "
      "per-image mean, averaged over channels (paper §5.4)");
  add_network_spec_options(*cmd, params->spec);
  cmd->add_option("--weights", params->weights,
                  "One or more weights files (.safetensors, or torchvision .pth with --arch); one curve each")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--names", params->names, "A name per weights file (default: the file names)")->expected(1, -1);
  cmd->add_option("--data-a", params->data_a, "Data set A: IDX folder, CIFAR binary folder or image folder")
      ->required();
  cmd->add_option("--data-b", params->data_b, "Data set B, in any of the same formats");
  cmd->add_option("--shift-b", params->shift_b,
                  "Instead of --data-b: data set A under a shift made on the fly, corruption:NAME:SEVERITY "
                  "(corruption:fog:3) or filter:NAME (filter:toaster)");
  cmd->add_option("--split", params->split, "train or test (IDX and CIFAR data)")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "test"}));
  cmd->add_option("--cut", params->cut,
                  "Compare this block (a block, stage or paper alias) and every later one but the head "
                  "(default: every block but the head)");
  cmd->add_option("--blocks", params->blocks, "Compare exactly these blocks (block names, e.g. layer2.1 layer3.0)")
      ->expected(1, -1);
  add_branch_option(*cmd, params->branch, "after the cut");
  cmd->add_option("--limit", params->limit, "Use this many images of each data set, drawn at random (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", params->seed, "Seed of --limit's draw and of --shift-b's corruption noise")
      ->capture_default_str();
  cmd->add_option("--batch", params->batch, "Batch size")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--image-size", params->image_size,
                  "Input size (0: 224, or native for ≤ 64 px), the same for both data sets")
      ->capture_default_str();
  cmd->add_option("--json", params->json, "Write the divergences as JSON to this file");
  cmd->add_option("--plot", params->plot, "Draw the divergences to this PNG (gnuplot; its script beside it)");
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params, cmd] { run_divergence(*params, *cmd); });
}

}  // namespace advbn::cli
