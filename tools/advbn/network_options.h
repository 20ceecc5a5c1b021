#pragma once
// Options naming a network and its weights, shared by every command that loads a model.
#include <CLI/CLI.hpp>

#include <string>

#include "advbn/models/network_factory.h"

namespace advbn::cli {

struct NetworkOptions {
  NetworkSpec spec;
  std::string weights;
};

// --arch, --num-classes, --stem, --width, --input-mean, --input-std: the description of a network
// that its weights may lack.
void add_network_spec_options(CLI::App& command, NetworkSpec& spec);

// The description options and one weights file. `weights_flags`: the CLI11 names of the weights option (e.g. "--in,--weights").
void add_network_options(CLI::App& command, NetworkOptions& options, bool weights_required = true,
                         const std::string& weights_flags = "--weights");

// --branch clean|adv: which BNs the command uses; `what` completes "BN branch …" in the help.
void add_branch_option(CLI::App& command, std::string& branch, const std::string& what = "");

// Builds the network (description from a safetensors checkpoint when stored there) with weights.
StagedNetwork load_network(const CLI::App& command, const NetworkOptions& options);

}  // namespace advbn::cli
