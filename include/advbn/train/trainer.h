#pragma once
// One trainer for Algorithm 1 (AdvBN), plain fine-tuning of the same suffix (the baseline), the
// peers and training from scratch, for classifiers and segmenters, so that every comparison runs
// on the same code path.
#include <torch/types.h>

#include <ostream>
#include <string>
#include <vector>

#include "advbn/train/train_config.h"

namespace advbn {

namespace distributed {
class ProcessGroup;
}

struct EpochReport {
  int epoch = 0;
  double lr = 0;
  double train_loss = 0;
  double train_top1 = 0;
  double train_adv_top1 = -1;  // AdvBN only
  double val_top1 = -1;        // -1 without a validation set; pixel accuracy for segmentation
  double val_miou = -1;        // segmentation with a validation set only
  double val_loss = -1;
  double seconds = 0;
  double images_per_second = 0;
};

struct TrainRunOptions {
  torch::Device device = torch::kCPU;
  bool resume = false;       // continue from config.out's checkpoint
  int stop_after_epoch = -1;  // end the run after this epoch (to split a run in parts)
  bool interactive = false;  // progress bar instead of log lines
  // Data-parallel training: every rank of `group` calls train() with the same config; each
  // trains on its shard with batch/world_size images per step and gradients averaged across
  // ranks. Only rank 0 logs and writes to config.out; every rank reads it to resume.
  distributed::ProcessGroup* group = nullptr;
};

// Runs (or resumes) training; writes DIR/checkpoint.safetensors, DIR/last.safetensors,
// DIR/best.safetensors and DIR/metrics.jsonl into config.out every epoch.
std::vector<EpochReport> train(const TrainConfig& config, const TrainRunOptions& options,
                               std::ostream& log);

}  // namespace advbn
