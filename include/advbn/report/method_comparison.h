#pragma once
// Methods compared under one budget (`advbn demo --compare`), as report.json keeps them under
// "comparison": per method and seed the robustness figures and the training time per epoch;
// drawn as robustness against training compute.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace advbn::report {

// One fine-tuned model: a method at one seed.
struct MethodRun {
  uint64_t seed = 0;
  double clean_top1 = 0;         // %
  double corruption_error = 0;   // %, mean over corruptions and severities
  double filters_top1 = 0;       // %, mean over filters
  double seconds_per_epoch = 0;  // training time, fine-tuning only
};

struct MethodResults {
  std::string method;
  std::vector<MethodRun> runs;  // one per seed
};

// Mean and sample standard deviation (0 for one value) of a figure over a method's runs.
struct Spread {
  double mean = 0;
  double std = 0;
};
Spread spread_of(const std::vector<MethodRun>& runs, double MethodRun::*figure);

// [{"method", "runs": [{"seed", "clean_top1", "corruption_error", "filters_top1",
// "seconds_per_epoch"}]}]
nlohmann::json to_json(const std::vector<MethodResults>& comparison);
// Throws advbn::Error naming the key when a value is missing or of the wrong type, or a method
// has no runs.
std::vector<MethodResults> read_method_comparison(const nlohmann::json& value);

// Corruption error (mean ± std over seeds) against seconds per training epoch, one labelled
// point per method, to `png` with its gnuplot script beside it. Throws advbn::Error when gnuplot
// fails.
void write_compute_plot(const std::vector<MethodResults>& comparison, const std::filesystem::path& png);

}  // namespace advbn::report
