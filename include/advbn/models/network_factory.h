#pragma once
// Builds a staged network from its description, and stores that description beside the weights
// so that a checkpoint can be loaded without repeating the flags that made it.
#include <string>
#include <vector>

#include "advbn/models/network_spec.h"
#include "advbn/models/staged_network.h"

namespace advbn {

const std::vector<std::string>& supported_architectures();

StagedNetwork create_network(const NetworkSpec& spec);

}  // namespace advbn
