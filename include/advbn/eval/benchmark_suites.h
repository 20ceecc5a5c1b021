#pragma once
// The robustness benchmarks AdvBN is judged on, evaluated from folders on disk with each
// benchmark's own preprocessing:
//
//   imagenet-c  <root>/<corruption>/<severity>/<class>/<image>   Resize(s)+CenterCrop(s)
//   instagram   <root>/<filter>/<class>/<image>                  Resize(s·256/224)+CenterCrop(s)
//   stylized    <root>/<class>/<image>                           Resize(s)+CenterCrop(s)
//   folder      <root>/<class>/<image>                           Resize(s·256/224)+CenterCrop(s)
//
// s is 224 unless options say otherwise. ImageNet-C and Stylized-ImageNet images are already
// 224 px, so their Resize(224) changes nothing and the protocol is CenterCrop(224) alone; the
// resize only matters for trees made from larger images. Images of at most 64 px (CIFAR-style
// suites) are evaluated at their native size without a crop.
//
// Labels: the classes of a folder are its sub-folders sorted by name, as torchvision's ImageFolder
// sorts them, and the network's output i is the class of the i-th folder. ImageNet's wnid folders
// therefore line up with the usual 1000-class order; a tree with fewer classes needs a network
// trained on those classes in that order. Every part of a suite (severity or filter folder) must
// hold the same class folders.
//
// Results are JSON; every error, accuracy and CE in it is a percentage.
#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "advbn/data/dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/eval/evaluate.h"
#include "advbn/models/staged_network.h"
#include "advbn/shift/image_file.h"

namespace advbn {

class ProgressReporter;

enum class Suite { ImageNetC, Instagram, Stylized, Folder };

// "imagenet-c" | "instagram" | "stylized" | "folder"; anything else throws advbn::Error.
Suite parse_suite(const std::string& name);
const char* suite_name(Suite suite);

struct SuiteOptions {
  BNBranch branch = BNBranch::Clean;
  torch::Device device = torch::kCPU;
  size_t batch_size = 100;
  int workers = 0;     // loader threads; 0 decodes on the calling thread
  int image_size = 0;  // 0: 224, or the native size for images of at most 64 px
  shift::ImageLimits image_limits;  // pixels an image file may declare
  // ImageNet-C only: the network's top-1 error (fraction) on clean images, for relative mCE.
  std::optional<double> clean_error;
  ProgressReporter* progress = nullptr;  // batch progress within each part
  // Called after each part (e.g. "fog/3", "toaster") with its result.
  std::function<void(const std::string& part, const EvalResult& result)> on_part_done;
};

// The suite's preprocessing for images like `dataset`'s first one (see above), normalised as the
// network expects (NetworkSpec::normalization).
data::Pipeline suite_pipeline(Suite suite, const data::Dataset& dataset, int image_size,
                              const data::Normalization& normalization);

// "Resize(256)+CenterCrop(224)" and the like, for reports.
std::string describe_preprocessing(const data::Pipeline& pipeline);
// {"mean": [r, g, b], "std": [r, g, b]}, for reports.
nlohmann::json describe_normalization(const data::Normalization& normalization);

// evaluate() over `dataset` with `pipeline`, batched as `options` say, unshuffled; the network
// must already be on options.device. Throws advbn::Error naming the dataset when it has more
// classes than the network has outputs.
EvalResult evaluate_dataset(StagedNetworkImpl& network, const data::DatasetPtr& dataset,
                            const data::Pipeline& pipeline, const SuiteOptions& options);

// Evaluates `network` (already on options.device) on the suite at `root`. Keys common to every
// suite: suite, root, preprocessing, classes, images, warnings (files skipped while opening
// folders). Then:
//   imagenet-c: corruptions.<name>.{severities.<s>.{error, top5_error, loss, images}, mean_error,
//               ce (common corruptions), relative_ce (with a clean error)}, mce, relative_mce,
//               clean_error, mean_error, mean_error_held_out, complete, missing; a figure that
//               does not apply (no common corruption, no clean error) is null;
//   instagram:  filters.<name>.{top1, top5, error, loss, images}, mean_top1, mean_error;
//   stylized, folder: top1, top5, error, loss.
// Throws advbn::Error for malformed trees (see imagenet_c_tree.h), unreadable images, parts whose
// class folders differ, a clean error with another suite, and too few network outputs.
nlohmann::json run_suite(Suite suite, StagedNetworkImpl& network, const std::filesystem::path& root,
                         const SuiteOptions& options);

}  // namespace advbn
