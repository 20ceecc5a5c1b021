// Config files (YAML or JSON) applied to a command's options. The command below has one option
// of each kind the real subcommands use (numbers with checks, strings, lists, flags, and the
// options a config file may not set), so every branch of the mapping step is reachable.
#include <advbn/error.h>

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "advbn/config_file.h"
#include "scratch_dir.h"

namespace {

struct Options {
  double lr = 0.1;
  double step_size = 0.2;
  int epochs = 1;
  std::string cut = "layer2";
  std::vector<int> milestones;
  std::vector<std::string> corruptions;
  bool amp = false;
  std::string config;
  std::string resume;
};

void add_options(CLI::App& command, Options& options) {
  command.add_option("--lr", options.lr)->check(CLI::PositiveNumber);
  command.add_option("--step-size", options.step_size);
  command.add_option("--epochs", options.epochs)->check(CLI::Range(1, 1000));
  command.add_option("--cut", options.cut)->check(CLI::IsMember({"layer1", "layer2", "layer3"}));
  command.add_option("--milestones", options.milestones);
  command.add_option("--corruptions", options.corruptions);
  command.add_flag("--amp", options.amp);
  command.add_option("--config", options.config);
  command.add_option("--resume", options.resume);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const advbn::fuzz::ScratchDir scratch;
  const std::string path = scratch.write("config.yaml", data, size);
  CLI::App command("fuzzed command", "train");
  Options options;
  add_options(command, options);
  try {
    advbn::cli::apply_config_file(command, path);
  } catch (const advbn::Error&) {
  }
  return 0;
}
