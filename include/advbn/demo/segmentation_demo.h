#pragma once
// The segmentation half of the demo (paper §5.5 at demo scale): scenes of Fashion-MNIST items
// (segmentation_scenes.h) on one background domain train an FCN from scratch; standard and AdvBN
// fine-tuning start from it under the same budget; all are scored (mIoU, pixel accuracy) on the
// training domain, on three other domains and on corruptions and filters of the training domain.
#include <nlohmann/json.hpp>

#include <ostream>

#include "advbn/demo/demo.h"

namespace advbn {

// Runs it in options.out/segmentation (reusing finished runs and written scenes) and returns the
// report's "segmentation" section: {"classes", "test_sets", "config", "models": {NAME: {"history",
// "test_sets": {SET: {"miou", "pixel_accuracy"}}, "shifted_miou"}}}; figures in %.
nlohmann::json run_segmentation_demo(const DemoOptions& options, std::ostream& log);

// The section as a table for the terminal.
void print_segmentation_table(const nlohmann::json& section, std::ostream& log);

}  // namespace advbn
