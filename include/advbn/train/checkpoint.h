#pragma once
// Training checkpoints: one file holding weights, optimizer state, progress and the full
// configuration, replaced atomically (written under a temporary name, then renamed) so that a
// kill at any instant leaves the previous checkpoint readable.
#include <torch/optim/sgd.h>

#include <string>

#include "advbn/models/staged_network.h"
#include "advbn/train/train_config.h"

namespace advbn {

struct TrainingProgress {
  int next_epoch = 0;        // first epoch still to run
  double best_val_top1 = -1;  // best validation score so far (%): top-1, or mIoU for segmentation
  int best_epoch = -1;
};

std::string checkpoint_path(const std::string& dir);  // DIR/checkpoint.safetensors

void save_checkpoint(const std::string& dir, StagedNetworkImpl& network, torch::optim::SGD& optimizer,
                     const TrainConfig& config, const TrainingProgress& progress);

// The configuration and progress stored in DIR's checkpoint (to rebuild the run).
std::pair<TrainConfig, TrainingProgress> read_checkpoint_header(const std::string& dir);

// Loads weights and optimizer state from DIR's checkpoint into a run rebuilt from its header.
void restore_checkpoint(const std::string& dir, StagedNetworkImpl& network,
                        torch::optim::SGD& optimizer);

}  // namespace advbn
