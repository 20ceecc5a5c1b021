#include "report_results.h"

#include <algorithm>
#include <iterator>
#include <set>

#include <nlohmann/json.hpp>

#include "advbn/error.h"

namespace advbn::report::detail {

namespace {

using nlohmann::json;

constexpr const char* kPreferredOrder[] = {"pretrained", "standard", "advbn", "advbn_adv_branch"};

std::optional<double> optional_number(const json& value, const std::string& where) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_number()) {
    throw Error("report JSON: " + where + " must be a number, got " + value.dump());
  }
  return value.get<double>();
}

std::optional<double> optional_number_at(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  return optional_number(*it, where + "." + key);
}

const json* optional_object_at(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    throw Error("report JSON: " + where + "." + key + " must be an object, got " + it->dump());
  }
  return &*it;
}

int severity_from_key(const std::string& key, const std::string& where) {
  std::size_t used = 0;
  int severity = 0;
  try {
    severity = std::stoi(key, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != key.size()) {
    throw Error("report JSON: " + where + " has severity key \"" + key + "\"; expected an integer such as \"3\"");
  }
  return severity;
}

std::vector<EpochRecord> read_history(const json& model, const std::string& where) {
  std::vector<EpochRecord> history;
  const auto it = model.find("history");
  if (it == model.end() || it->is_null()) return history;
  if (!it->is_array()) throw Error("report JSON: " + where + ".history must be an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    const std::string entry_where = where + ".history[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw Error("report JSON: " + entry_where + " must be an object");
    EpochRecord record;
    // Without an epoch number the row's position is the best guess of when it was recorded.
    record.epoch = optional_number_at(entry, "epoch", entry_where).value_or(static_cast<double>(i + 1));
    record.train_loss = optional_number_at(entry, "train_loss", entry_where);
    record.train_top1 = optional_number_at(entry, "train_top1", entry_where);
    record.val_top1 = optional_number_at(entry, "val_top1", entry_where);
    record.train_adv_top1 = optional_number_at(entry, "train_adv_top1", entry_where);
    history.push_back(record);
  }
  return history;
}

ModelResults read_model(const std::string& name, const json& model) {
  const std::string where = "models." + name;
  if (!model.is_object()) throw Error("report JSON: " + where + " must be an object");
  ModelResults results;
  results.name = name;
  results.clean_top1 = optional_number_at(model, "clean_top1", where);
  results.corruption_error = optional_number_at(model, "corruption_error", where);
  results.filters_top1 = optional_number_at(model, "filters_top1", where);
  if (const json* corruptions = optional_object_at(model, "corruptions", where)) {
    for (const auto& [corruption, by_severity] : corruptions->items()) {
      const std::string corruption_where = where + ".corruptions." + corruption;
      if (!by_severity.is_object()) throw Error("report JSON: " + corruption_where + " must be an object");
      auto& errors = results.corruption_errors[corruption];
      for (const auto& [key, value] : by_severity.items()) {
        const int severity = severity_from_key(key, corruption_where);
        if (const auto error = optional_number(value, corruption_where + "." + key)) {
          errors[severity] = *error;
        }
      }
    }
  }
  if (const json* filters = optional_object_at(model, "filters", where)) {
    for (const auto& [filter, value] : filters->items()) {
      if (const auto top1 = optional_number(value, where + ".filters." + filter)) {
        results.filter_top1[filter] = *top1;
      }
    }
  }
  results.history = read_history(model, where);
  return results;
}

std::size_t preferred_rank(const std::string& name) {
  const auto begin = std::begin(kPreferredOrder);
  const auto end = std::end(kPreferredOrder);
  return static_cast<std::size_t>(std::find(begin, end, name) - begin);
}

}  // namespace

std::vector<ModelResults> read_models(const json& report) {
  if (!report.is_object()) throw Error("report JSON must be an object, got " + report.dump());
  const auto it = report.find("models");
  if (it == report.end() || !it->is_object()) {
    throw Error("report JSON has no \"models\" object; it holds one entry per evaluated model");
  }
  std::vector<ModelResults> models;
  for (const auto& [name, model] : it->items()) models.push_back(read_model(name, model));
  std::stable_sort(models.begin(), models.end(), [](const ModelResults& a, const ModelResults& b) {
    return preferred_rank(a.name) < preferred_rank(b.name);
  });
  return models;
}

std::vector<std::string> corruption_names(const std::vector<ModelResults>& models) {
  std::set<std::string> names;
  for (const auto& model : models) {
    for (const auto& entry : model.corruption_errors) names.insert(entry.first);
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> filter_names(const std::vector<ModelResults>& models) {
  std::set<std::string> names;
  for (const auto& model : models) {
    for (const auto& entry : model.filter_top1) names.insert(entry.first);
  }
  return {names.begin(), names.end()};
}

std::vector<int> severities(const std::vector<ModelResults>& models) {
  std::set<int> all;
  for (const auto& model : models) {
    for (const auto& entry : model.corruption_errors) {
      for (const auto& by_severity : entry.second) all.insert(by_severity.first);
    }
  }
  return {all.begin(), all.end()};
}

std::optional<double> mean_error_of_corruption(const ModelResults& model, const std::string& corruption) {
  const auto it = model.corruption_errors.find(corruption);
  if (it == model.corruption_errors.end() || it->second.empty()) return std::nullopt;
  double sum = 0.0;
  for (const auto& entry : it->second) sum += entry.second;
  return sum / static_cast<double>(it->second.size());
}

std::optional<double> mean_error_at_severity(const ModelResults& model, int severity) {
  double sum = 0.0;
  int count = 0;
  for (const auto& entry : model.corruption_errors) {
    const auto it = entry.second.find(severity);
    if (it == entry.second.end()) continue;
    sum += it->second;
    ++count;
  }
  if (count == 0) return std::nullopt;
  return sum / count;
}

}  // namespace advbn::report::detail
