#pragma once
// The report's figures: each is a gnuplot script with its data inline (plots/NAME.gp), drawn to
// plots/NAME.png, so that a reader can restyle any figure by editing and re-running its script.
#include <filesystem>
#include <string>
#include <vector>

#include "report_results.h"

namespace advbn::report::detail {

struct Plot {
  std::string file;  // relative to the report folder, e.g. "plots/corruption_error.png"
  std::string title;
  std::string caption;
};

// Draws every figure that the results have data for (a report without training histories has no
// training curves) into out_dir/plots, which must exist. A model keeps its colour in every figure.
// Throws advbn::Error when a script cannot be written or gnuplot fails.
std::vector<Plot> draw_plots(const std::vector<ModelResults>& models, const std::filesystem::path& out_dir);

}  // namespace advbn::report::detail
