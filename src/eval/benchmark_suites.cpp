#include "advbn/eval/benchmark_suites.h"

#include <algorithm>

#include "advbn/data/image_folder.h"
#include "advbn/data/loader.h"
#include "advbn/data/normalization.h"
#include "advbn/error.h"
#include "advbn/eval/corruption_error.h"
#include "advbn/eval/imagenet_c_tree.h"

namespace advbn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kDefaultImageSize = 224;
// Longer side up to which images are treated as CIFAR-like: evaluated whole, at native size.
constexpr int kSmallImageMax = 64;

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

// Opens and evaluates one part of a suite, reporting it and collecting its opening warnings.
class PartRunner {
 public:
  PartRunner(Suite suite, StagedNetworkImpl& network, const SuiteOptions& options)
      : suite_(suite), network_(network), options_(options) {}

  // The part's dataset, checked to hold the same class folders as the suite's first part.
  std::shared_ptr<const data::ImageFolderDataset> open(const fs::path& folder) {
    auto dataset = data::open_image_folder(folder.string(), options_.image_limits);
    for (auto& warning : dataset->warnings()) warnings_.push_back(std::move(warning));
    if (!pipeline_) {
      pipeline_ = suite_pipeline(suite_, *dataset, options_.image_size, network_.spec().normalization);
      first_folder_ = folder;
      classes_ = dataset->classes();
    } else {
      require_same_classes(first_folder_, classes_, folder, dataset->classes());
    }
    return dataset;
  }

  EvalResult evaluate(const data::DatasetPtr& dataset, const std::string& part) {
    const auto result = evaluate_dataset(network_, dataset, *pipeline_, options_);
    images_ += result.count;
    if (options_.on_part_done) options_.on_part_done(part, result);
    return result;
  }

  // The keys every suite's report shares.
  json report(const fs::path& root) const {
    return {{"suite", suite_name(suite_)},
            {"root", root.string()},
            {"preprocessing", describe_preprocessing(*pipeline_)},
            {"normalization", describe_normalization(pipeline_->normalization)},
            {"classes", classes_.size()},
            {"images", images_},
            {"warnings", warnings_}};
  }

 private:
  Suite suite_;
  StagedNetworkImpl& network_;
  const SuiteOptions& options_;
  std::optional<data::Pipeline> pipeline_;
  fs::path first_folder_;
  std::vector<std::string> classes_;
  std::vector<std::string> warnings_;
  int64_t images_ = 0;
};

json run_imagenet_c(StagedNetworkImpl& network, const fs::path& root, const SuiteOptions& options) {
  const auto tree = read_imagenet_c_tree(root);
  PartRunner runner(Suite::ImageNetC, network, options);
  CorruptionErrors errors;
  json corruptions = json::object();
  for (const auto& folder : tree.folders) {
    const auto severity = std::to_string(folder.severity);
    const auto result =
        runner.evaluate(runner.open(folder.path), folder.corruption + "/" + severity);
    errors[folder.corruption][folder.severity] = 1 - result.top1 / 100;
    corruptions[folder.corruption]["severities"][severity] = {{"error", 100 - result.top1},
                                                              {"top5_error", 100 - result.top5},
                                                              {"loss", result.loss},
                                                              {"images", result.count}};
  }
  const auto scores = score_corruptions(errors, options.clean_error);
  for (auto& [corruption, entry] : corruptions.items()) {
    entry["mean_error"] = scores.mean_error.at(corruption);
    const auto ce = scores.ce.find(corruption);
    entry["ce"] = ce != scores.ce.end() ? json(ce->second) : json(nullptr);
    const auto relative = scores.relative_ce.find(corruption);
    entry["relative_ce"] =
        relative != scores.relative_ce.end() ? json(relative->second) : json(nullptr);
  }
  auto report = runner.report(root);
  report["corruptions"] = corruptions;
  report["mce"] = optional_number(scores.mce);
  report["relative_mce"] = optional_number(scores.relative_mce);
  report["clean_error"] = options.clean_error ? json(100 * *options.clean_error) : json(nullptr);
  report["mean_error"] = optional_number(scores.mean_error_common);
  report["mean_error_held_out"] = optional_number(scores.mean_error_held_out);
  report["complete"] = scores.complete;
  report["missing"] = scores.missing;
  return report;
}

json run_instagram(StagedNetworkImpl& network, const fs::path& root, const SuiteOptions& options) {
  if (!fs::is_directory(root))
    throw Error("Instagram root '" + root.string() + "' is not a folder");
  const auto filters = sorted_sub_folders(root);
  if (filters.empty()) {
    throw Error("Instagram root '" + root.string() +
                "' has no filter folders; expected <root>/<filter>/<class>/<image>");
  }
  PartRunner runner(Suite::Instagram, network, options);
  json per_filter = json::object();
  double top1_sum = 0;
  for (const auto& filter : filters) {
    const auto result = runner.evaluate(runner.open(root / filter), filter);
    per_filter[filter] = {{"top1", result.top1},
                          {"top5", result.top5},
                          {"error", 100 - result.top1},
                          {"loss", result.loss},
                          {"images", result.count}};
    top1_sum += result.top1;
  }
  const double mean_top1 = top1_sum / static_cast<double>(filters.size());
  auto report = runner.report(root);
  report["filters"] = per_filter;
  report["mean_top1"] = mean_top1;
  report["mean_error"] = 100 - mean_top1;
  return report;
}

json run_single_folder(Suite suite, StagedNetworkImpl& network, const fs::path& root,
                       const SuiteOptions& options) {
  PartRunner runner(suite, network, options);
  const auto result = runner.evaluate(runner.open(root), root.string());
  auto report = runner.report(root);
  report["top1"] = result.top1;
  report["top5"] = result.top5;
  report["error"] = 100 - result.top1;
  report["loss"] = result.loss;
  return report;
}

}  // namespace

Suite parse_suite(const std::string& name) {
  for (const Suite suite : {Suite::ImageNetC, Suite::Instagram, Suite::Stylized, Suite::Folder}) {
    if (name == suite_name(suite)) return suite;
  }
  throw Error("unknown suite '" + name + "'; expected imagenet-c, instagram, stylized or folder");
}

const char* suite_name(Suite suite) {
  switch (suite) {
    case Suite::ImageNetC: return "imagenet-c";
    case Suite::Instagram: return "instagram";
    case Suite::Stylized: return "stylized";
    case Suite::Folder: return "folder";
  }
  return "";
}

data::Pipeline suite_pipeline(Suite suite, const data::Dataset& dataset, int image_size,
                              const data::Normalization& normalization) {
  const auto probe = dataset.get(0).image;
  const int native = std::max(probe.rows, probe.cols);
  const bool small = native <= kSmallImageMax;
  const int size = image_size > 0 ? image_size : (small ? native : kDefaultImageSize);
  // eval_pipeline's small-image geometry resizes the shorter side to `size` and crops the centre:
  // CenterCrop(size) alone for images already at that size, as ImageNet-C and Stylized-ImageNet
  // are.
  const bool crop_only = small || suite == Suite::ImageNetC || suite == Suite::Stylized;
  return data::eval_pipeline(size, crop_only, normalization);
}

std::string describe_preprocessing(const data::Pipeline& pipeline) {
  const auto crop = "CenterCrop(" + std::to_string(pipeline.image_size) + ")";
  switch (pipeline.geometry) {
    case data::Pipeline::Geometry::ResizeCenterCrop:
      return "Resize(" + std::to_string(pipeline.resize_size) + ")+" + crop;
    case data::Pipeline::Geometry::Fit:
      return "Resize(" + std::to_string(pipeline.image_size) + ")+" + crop;
    case data::Pipeline::Geometry::RandomResizedCrop:
      return "RandomResizedCrop(" + std::to_string(pipeline.image_size) + ")";
    case data::Pipeline::Geometry::PaddedRandomCrop:
      return "RandomCrop(" + std::to_string(pipeline.image_size) + ", padding " +
             std::to_string(pipeline.padding) + ")";
    case data::Pipeline::Geometry::ScaleCrop:
      return "RandomScale(" + std::to_string(pipeline.min_scale) + ", " + std::to_string(pipeline.max_scale) +
             ")+RandomCrop(" + std::to_string(pipeline.image_size) + ")";
    case data::Pipeline::Geometry::WholeImage: return "whole image";
  }
  return "";
}

json describe_normalization(const data::Normalization& normalization) {
  return {{"mean", normalization.mean}, {"std", normalization.std}};
}

EvalResult evaluate_dataset(StagedNetworkImpl& network, const data::DatasetPtr& dataset,
                            const data::Pipeline& pipeline, const SuiteOptions& options) {
  if (network.spec().num_classes < dataset->num_classes()) {
    throw Error("the network has " + std::to_string(network.spec().num_classes) +
                " outputs, fewer than the classes of " + dataset->description());
  }
  data::Loader loader(dataset, pipeline,
                      {options.batch_size, /*shuffle=*/false, /*drop_last=*/false, options.workers,
                       /*prefetch_batches=*/4, /*seed=*/0});
  return evaluate(network, loader, options.branch, options.device, options.progress);
}

json run_suite(Suite suite, StagedNetworkImpl& network, const fs::path& root,
               const SuiteOptions& options) {
  if (options.clean_error && suite != Suite::ImageNetC) {
    throw Error(std::string("a clean error is used only by the imagenet-c suite, not ") +
                suite_name(suite));
  }
  switch (suite) {
    case Suite::ImageNetC: return run_imagenet_c(network, root, options);
    case Suite::Instagram: return run_instagram(network, root, options);
    case Suite::Stylized:
    case Suite::Folder: return run_single_folder(suite, network, root, options);
  }
  return {};
}

}  // namespace advbn
