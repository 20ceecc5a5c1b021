#pragma once
// One feature-divergence comparison between two data sets, as `advbn divergence --json` writes
// it and the demo's report keeps it under "divergence": the divergence of every block for every
// model, drawn as one curve per model over the blocks.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace advbn::report {

struct DivergenceCurve {
  std::string model;
  std::string branch;               // BN branch the model ran on: clean or adv
  std::vector<double> divergence;   // one per block
};

struct DivergenceComparison {
  std::string data_a;
  std::string data_b;
  int64_t images_a = 0;
  int64_t images_b = 0;
  std::vector<std::string> blocks;
  std::vector<DivergenceCurve> models;  // in the order of the report's other figures
};

// {"data_a", "data_b", "images_a", "images_b", "blocks": [...], "models": [{"model", "branch",
// "divergence": [...]}]}
nlohmann::json to_json(const DivergenceComparison& comparison);
// Throws advbn::Error naming the key when a value is missing, of the wrong type, or a curve has
// another number of values than there are blocks.
DivergenceComparison read_divergence_comparison(const nlohmann::json& value);

// Draws the comparison to `png` with its gnuplot script beside it (same name, ".gp"); the model
// at position i takes the colour of the report's model i. Throws advbn::Error when gnuplot fails.
void write_divergence_plot(const DivergenceComparison& comparison, const std::filesystem::path& png);

}  // namespace advbn::report
