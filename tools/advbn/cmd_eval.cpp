// advbn eval: top-1/top-5 and loss of a network on a dataset, or on a robustness benchmark
// (ImageNet-C, ImageNet-Instagram, Stylized-ImageNet, any class folder), with each one's
// preprocessing; prints a table and optionally writes every number as JSON.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "advbn/commands.h"
#include "advbn/data/open_dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/data/segmentation_folder.h"
#include "advbn/eval/evaluate.h"
#include "advbn/error.h"
#include "advbn/report/json_file.h"
#include "advbn/eval/benchmark_suites.h"
#include "advbn/image_limit_option.h"
#include "advbn/network_options.h"
#include "advbn/runtime_options.h"
#include "advbn/shift/corruptions.h"
#include "advbn/report/progress.h"

namespace advbn::cli {

namespace {

using nlohmann::json;

constexpr const char* kPlainSuite = "plain";

struct EvalParams {
  NetworkOptions network;
  std::string task = "classification";
  std::string suite = kPlainSuite;
  std::string data;
  std::string split = "test";
  std::string branch = "clean";
  std::string json;
  double clean_error = 0;  // only when --clean-error is given
  int64_t batch = 100;
  int image_size = 0;
  shift::ImageLimits image_limits;
  RuntimeOptions runtime;
};

// A figure of the report as "12.34", or "-" where it does not apply (JSON null).
std::string figure(const json& value) {
  if (value.is_null()) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << value.get<double>();
  return s.str();
}

void print_accuracy(const json& report) {
  std::cout << "top-1 " << figure(report.at("top1")) << "%  top-5 " << figure(report.at("top5"))
            << "%  loss " << std::setprecision(4) << report.at("loss").get<double>() << "  ("
            << report.at("images") << " images, " << report.at("preprocessing").get<std::string>()
            << ")\n";
}

void print_imagenet_c(const json& report) {
  const auto& corruptions = report.at("corruptions");
  std::cout << "top-1 error (%) by severity, preprocessing "
            << report.at("preprocessing").get<std::string>() << "\n"
            << std::left << std::setw(18) << "corruption" << std::right;
  for (int s = 1; s <= 5; ++s) std::cout << std::setw(8) << s;
  std::cout << std::setw(8) << "mean" << std::setw(8) << "CE" << std::setw(8) << "relCE"
            << "\n";
  for (const auto& name : shift::all_corruptions()) {
    if (!corruptions.contains(name)) continue;
    const auto& entry = corruptions.at(name);
    std::cout << std::left << std::setw(18) << name << std::right;
    for (int s = 1; s <= 5; ++s) {
      const auto key = std::to_string(s);
      std::cout << std::setw(8)
                << (entry.at("severities").contains(key)
                        ? figure(entry.at("severities").at(key).at("error"))
                        : "-");
    }
    std::cout << std::setw(8) << figure(entry.at("mean_error")) << std::setw(8)
              << figure(entry.at("ce")) << std::setw(8) << figure(entry.at("relative_ce")) << "\n";
  }
  std::cout << "mCE " << figure(report.at("mce")) << "%  relative mCE "
            << figure(report.at("relative_mce")) << "%  mean error "
            << figure(report.at("mean_error")) << "%";
  if (!report.at("mean_error_held_out").is_null()) {
    std::cout << "  held-out mean error " << figure(report.at("mean_error_held_out")) << "%";
  }
  std::cout << "  (" << report.at("images") << " images)\n";
  if (!report.at("complete").get<bool>()) {
    std::cout << "incomplete: not comparable with published mCE; missing";
    for (const auto& missing : report.at("missing")) std::cout << " " << missing.get<std::string>();
    std::cout << "\n";
  }
}

void print_instagram(const json& report) {
  std::cout << "top-1 (%) by filter, preprocessing "
            << report.at("preprocessing").get<std::string>() << "\n";
  for (const auto& [name, entry] : report.at("filters").items()) {
    std::cout << "  " << std::left << std::setw(20) << name << std::right << std::setw(8)
              << figure(entry.at("top1")) << "\n";
  }
  std::cout << "mean top-1 " << figure(report.at("mean_top1")) << "%  mean error "
            << figure(report.at("mean_error")) << "%  (" << report.at("images") << " images)\n";
}

// Any dataset format (IDX, CIFAR, image folder) and split, with the folder suite's preprocessing.
json run_plain(const EvalParams& params, StagedNetworkImpl& network, const SuiteOptions& options) {
  const auto dataset = data::open_dataset(
      params.data, params.split == "train" ? data::Split::Train : data::Split::Test,
      options.image_limits);
  const auto pipeline = suite_pipeline(Suite::Folder, *dataset, params.image_size, network.spec().normalization);
  const auto result = evaluate_dataset(network, dataset, pipeline, options);
  return {{"suite", kPlainSuite},
          {"images", result.count},
          {"classes", dataset->num_classes()},
          {"preprocessing", describe_preprocessing(pipeline)},
          {"normalization", describe_normalization(pipeline.normalization)},
          {"top1", result.top1},
          {"top5", result.top5},
          {"error", 100 - result.top1},
          {"loss", result.loss},
          {"warnings", dataset->warnings()}};
}

// A segmentation folder (Cityscapes, GTA5, SYNTHIA, train ids) scored from one confusion matrix.
json run_segmentation(const EvalParams& params, StagedNetworkImpl& network, const SuiteOptions& options) {
  const auto dataset = data::open_segmentation_folder(
      params.data, params.split == "train" ? data::Split::Train : data::Split::Test, options.image_limits);
  if (network.spec().num_classes < dataset->num_classes()) {
    throw Error(params.data + " has " + std::to_string(dataset->num_classes()) + " classes but the network has " +
                std::to_string(network.spec().num_classes) + " outputs");
  }
  const auto pipeline = data::segmentation_eval_pipeline(network.spec().normalization);
  data::Loader loader(dataset, pipeline, {options.batch_size, false, false, options.workers});
  const auto result = evaluate_segmentation(network, loader, dataset->num_classes(), options.branch, options.device,
                                            options.progress);
  json per_class = json::object();
  for (size_t c = 0; c < dataset->classes().size(); ++c) {
    const double iou = result.scores.iou[c];
    per_class[dataset->classes()[c]] = std::isnan(iou) ? json() : json(iou);
  }
  return {{"task", "segmentation"},
          {"images", result.images},
          {"pixels", result.scores.pixels},
          {"classes", dataset->num_classes()},
          {"preprocessing", describe_preprocessing(pipeline)},
          {"normalization", describe_normalization(pipeline.normalization)},
          {"miou", result.scores.mean_iou},
          {"pixel_accuracy", result.scores.pixel_accuracy},
          {"loss", result.loss},
          {"iou", per_class},
          {"warnings", dataset->warnings()}};
}

void print_segmentation(const json& report) {
  std::cout << "IoU (%) by class\n";
  for (const auto& [name, iou] : report.at("iou").items()) {
    std::cout << "  " << std::left << std::setw(20) << name << std::right << std::setw(8) << figure(iou) << "\n";
  }
  std::cout << "mIoU " << figure(report.at("miou")) << "%  pixel accuracy " << figure(report.at("pixel_accuracy"))
            << "%  loss " << std::setprecision(4) << report.at("loss").get<double>() << "  (" << report.at("images")
            << " images, " << report.at("preprocessing").get<std::string>() << ")\n";
}

void run_eval(const EvalParams& params, const CLI::App& command) {
  const bool segmentation = params.task == "segmentation";
  if (segmentation && command.count("--suite") > 0) {
    throw Error("--suite applies to classification; --task segmentation reads --data as a segmentation folder");
  }
  const bool plain = params.suite == kPlainSuite;
  // Checked before the network is loaded, so a mistyped command fails at once.
  // The plain "suite" reads any data set format; it prints as the folder suite does.
  const Suite suite = plain ? Suite::Folder : parse_suite(params.suite);
  const bool has_clean_error = command.count("--clean-error") > 0;
  if (has_clean_error && suite != Suite::ImageNetC) {
    throw Error("--clean-error is used only with --suite imagenet-c");
  }
  if (!plain && !segmentation && command.count("--split") > 0) {
    throw Error("--split is used only with --suite plain; a suite reads --data as its root");
  }

  const auto device = apply_runtime_options(params.runtime);
  auto network = load_network(command, params.network);
  network->to(device);
  ProgressReporter progress(std::cerr, ProgressReporter::stderr_is_terminal());
  SuiteOptions options;
  options.branch = parse_bn_branch(params.branch);
  options.device = device;
  // Whole segmentation images may differ in size (GTA5's do): one per batch unless told otherwise.
  options.batch_size = segmentation && command.count("--batch") == 0 ? 1 : static_cast<size_t>(params.batch);
  options.workers = std::max(1, torch::get_num_threads());
  options.image_size = params.image_size;
  options.image_limits = params.image_limits;
  options.progress = &progress;
  if (has_clean_error) options.clean_error = params.clean_error;
  options.on_part_done = [&progress](const std::string& part, const EvalResult& result) {
    std::ostringstream line;
    line << part << ": top-1 " << std::fixed << std::setprecision(2) << result.top1 << "%";
    progress.end(line.str());
  };

  json report;
  if (segmentation) {
    report = run_segmentation(params, *network, options);
    progress.end("");
  } else if (plain) {
    report = run_plain(params, *network, options);
    progress.end("");
  } else {
    report = run_suite(suite, *network, params.data, options);
  }
  report["data"] = params.data;
  report["arch"] = network->arch();
  report["branch"] = params.branch;

  for (const auto& warning : report.at("warnings")) {
    std::cerr << "warning: " << warning.get<std::string>() << "\n";
  }
  if (segmentation) {
    print_segmentation(report);
  } else if (suite == Suite::ImageNetC) {
    print_imagenet_c(report);
  } else if (suite == Suite::Instagram) {
    print_instagram(report);
  } else {
    print_accuracy(report);
  }
  if (!params.json.empty()) report::write_json_file(params.json, report);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto params = std::make_shared<EvalParams>();
  auto* cmd = app.add_subcommand(
      "eval", "Top-1/top-5 accuracy and loss of a network on a dataset or a robustness benchmark");
  add_network_options(*cmd, params->network);
  cmd->add_option("--task", params->task,
                  "classification, or segmentation: mIoU, per-class IoU and pixel accuracy on a Cityscapes, "
                  "GTA5, SYNTHIA or train-id folder (--split picks Cityscapes' train or val), whole images")
      ->capture_default_str()
      ->check(CLI::IsMember({"classification", "segmentation"}));
  cmd->add_option("--suite", params->suite,
                  "plain (any dataset), imagenet-c (<data>/<corruption>/<severity>/<class>), "
                  "instagram (<data>/<filter>/<class>), stylized or folder (<data>/<class>)")
      ->capture_default_str()
      ->check(CLI::IsMember({kPlainSuite, "imagenet-c", "instagram", "stylized", "folder"}));
  cmd->add_option(
         "--data", params->data,
         "plain: IDX folder, CIFAR binary folder or image folder; otherwise the suite's root")
      ->required();
  cmd->add_option("--split", params->split, "train or test (plain suite, IDX and CIFAR)")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "test"}));
  add_branch_option(*cmd, params->branch);
  cmd->add_option("--batch", params->batch, "Batch size (--task segmentation: 1 unless given)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--image-size", params->image_size,
                  "Input size (0: 224, or native for ≤ 64 px; the suite decides resize and crop)")
      ->capture_default_str();
  cmd->add_option("--clean-error", params->clean_error,
                  "imagenet-c: the network's clean top-1 error as a fraction (0.239 for 23.9 %), "
                  "for relative mCE")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--json", params->json, "Write every number as JSON to this file");
  add_image_limit_option(*cmd, params->image_limits);
  add_runtime_options(*cmd, params->runtime);
  cmd->callback([params, cmd] { run_eval(*params, *cmd); });
}

}  // namespace advbn::cli
