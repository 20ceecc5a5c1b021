#pragma once
// The demo's report JSON, read once into typed results so that the plots and the HTML page agree
// on every number and on the order of the models.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace advbn::report::detail {

struct EpochRecord {
  double epoch = 0.0;
  std::optional<double> train_loss;
  std::optional<double> train_top1;
  std::optional<double> val_top1;
  std::optional<double> train_adv_top1;  // only for models trained with AdvBN
};

// All values are percentages. A value that the JSON lacks (or holds as null, which is how
// nlohmann::json writes a NaN) is empty, so that one failed evaluation does not hide the others.
struct ModelResults {
  std::string name;
  std::optional<double> clean_top1;
  std::optional<double> corruption_error;  // mean error over every corruption × severity
  std::optional<double> filters_top1;      // mean top-1 over the filter suite
  std::map<std::string, std::map<int, double>> corruption_errors;  // corruption → severity → error
  std::map<std::string, double> filter_top1;
  std::vector<EpochRecord> history;
};

// Reads report["models"]. The demo's own models come first, in the order a reader compares them
// (pretrained, standard, advbn, advbn_adv_branch), then any others by name. Throws advbn::Error
// naming the key when "models" is missing or a value has the wrong type.
std::vector<ModelResults> read_models(const nlohmann::json& report);

// Every corruption / filter / severity that any model has, sorted.
std::vector<std::string> corruption_names(const std::vector<ModelResults>& models);
std::vector<std::string> filter_names(const std::vector<ModelResults>& models);
std::vector<int> severities(const std::vector<ModelResults>& models);

// Mean error of one corruption over the severities the model has; empty when it has none.
std::optional<double> mean_error_of_corruption(const ModelResults& model, const std::string& corruption);
// Mean error at one severity over the corruptions the model has at that severity.
std::optional<double> mean_error_at_severity(const ModelResults& model, int severity);

}  // namespace advbn::report::detail
