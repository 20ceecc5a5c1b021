#pragma once
// Training runs the demo reuses: a run whose folder holds a finished run of the same configuration
// is not trained again, an unfinished one is resumed, and any other is replaced.
#include <nlohmann/json.hpp>

#include <ostream>

#include "advbn/demo/demo.h"
#include "advbn/train/train_config.h"

namespace advbn {

// Trains `config` unless config.out already holds a finished run of it; returns the run's
// per-epoch metrics (metrics.jsonl) as an array.
nlohmann::json ensure_trained(const TrainConfig& config, const DemoOptions& options, std::ostream& log);

// The current time as "2026-12-04 17:20 UTC", for reports.
std::string timestamp();

}  // namespace advbn
