#include "advbn/config_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "advbn/error.h"

namespace advbn::cli {

namespace {

std::vector<std::string> scalar_values(const YAML::Node& node, const std::string& where) {
  if (node.IsScalar()) return {node.as<std::string>()};
  // CLI11's option callbacks read their first result unchecked, so an empty list ("lr: []") would
  // make them read past the end of an empty vector.
  if (node.IsSequence() && node.size() == 0) throw Error(where + ": expected at least one value, got an empty list");
  if (node.IsSequence()) {
    std::vector<std::string> values;
    for (const auto& item : node) {
      if (!item.IsScalar()) throw Error(where + ": expected a list of plain values");
      values.push_back(item.as<std::string>());
    }
    return values;
  }
  throw Error(where + ": expected a value or a list of values");
}

}  // namespace

void apply_config_file(CLI::App& command, const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw Error("config file " + path + " does not exist");
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);  // JSON is valid YAML
  } catch (const YAML::Exception& e) {
    throw Error(path + ": not valid YAML or JSON: " + e.what());
  }
  if (!root.IsMap()) throw Error(path + ": expected a mapping of option names to values");
  for (const auto& entry : root) {
    // YAML allows lists and maps as keys ("{a: 1}: 2"); converting one to a string throws
    // yaml-cpp's own exception, which would lose the file name.
    if (!entry.first.IsScalar()) throw Error(path + ": every key must be an option name, not a list, mapping or null");
    std::string key = entry.first.Scalar();
    std::replace(key.begin(), key.end(), '_', '-');
    const std::string where = path + ": key '" + entry.first.Scalar() + "'";
    CLI::Option* option = command.get_option_no_throw("--" + key);
    if (!option || key == "config" || key == "resume") {
      throw Error(where + " is not an option of advbn " + command.get_name());
    }
    if (option->count() > 0) continue;  // the command line wins
    const auto values = scalar_values(entry.second, where);
    try {
      if (option->get_type_size() == 0) {  // a flag
        option->add_result(values.at(0) == "true" || values.at(0) == "1" ? "true" : "false");
      } else {
        option->add_result(values);
      }
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw Error(where + ": " + e.what());
    }
  }
}

}  // namespace advbn::cli
