#pragma once
// Accuracy of several models under many image-space shifts (corruptions at each severity,
// filters), generated on the fly from a clean test set: each shifted batch is made once and
// shown to every model, so models are compared on identical images.
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "advbn/data/dataset.h"
#include "advbn/data/pipeline.h"
#include "advbn/models/staged_network.h"
#include "advbn/shift/corruptions.h"

namespace advbn {

struct Shift {
  std::string name;  // "clean", a corruption or a filter name
  int severity = 0;  // 1..5 for corruptions, 0 otherwise
  // RGB (or grayscale) image and its dataset index → shifted image of the same size and type.
  std::function<cv::Mat(const cv::Mat&, size_t)> apply;
};

Shift clean_shift();
// Every (corruption, severity) pair; each image's randomness is seeded by (seed, index).
std::vector<Shift> corruption_shifts(const std::vector<std::string>& corruptions,
                                     const std::vector<int>& severities, uint64_t seed,
                                     shift::Preset preset = shift::Preset::Auto);
std::vector<Shift> filter_shifts(const std::vector<std::string>& filters);
// One shift named on the command line: "corruption:NAME:SEVERITY" (corruption:fog:3) or
// "filter:NAME" (filter:toaster). Throws advbn::Error naming the part at fault and the valid values.
Shift parse_shift(const std::string& spec, uint64_t seed);

struct ModelUnderTest {
  std::string name;
  StagedNetworkImpl* network;
  BNBranch branch;
};

// Top-1 accuracy (%) as result[model][shift]. `on_shift_done(i)` reports progress.
std::vector<std::vector<double>> evaluate_shifts(
    const std::vector<ModelUnderTest>& models, const data::DatasetPtr& test,
    const data::Pipeline& pipeline, const std::vector<Shift>& shifts, size_t batch,
    torch::Device device, const std::function<void(size_t)>& on_shift_done = {});

}  // namespace advbn
