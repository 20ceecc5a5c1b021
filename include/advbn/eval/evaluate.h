#pragma once
// Top-1/top-5 and loss of a network over a whole loader; for segmentation, the scores of one
// confusion matrix over it (mIoU, per-class IoU, pixel accuracy).
#include <torch/types.h>

#include "advbn/data/loader.h"
#include "advbn/eval/meters.h"
#include "advbn/eval/segmentation_metrics.h"
#include "advbn/models/staged_network.h"

namespace advbn {

class ProgressReporter;

struct EvalResult {
  double top1 = 0;  // %; pixel accuracy for segmentation
  double top5 = 0;  // %
  double loss = 0;  // mean cross-entropy
  int64_t count = 0;  // images, or labelled pixels for segmentation
};

// Runs `loader`'s epoch 0 through `network` in eval mode on the BN `branch`. In a data-parallel
// job each replica passes its shard's loader and `replicas`, and all get the whole set's result.
EvalResult evaluate(StagedNetworkImpl& network, data::Loader& loader, BNBranch branch,
                    torch::Device device, ProgressReporter* progress = nullptr,
                    const ReplicaSum& replicas = {});

struct SegmentationEvalResult {
  SegmentationScores scores;
  double loss = 0;  // mean over images of the cross-entropy over labelled pixels
  int64_t images = 0;
};

// The same for a loader of label maps: per-pixel predictions at the labels' resolution
// (prediction_loss.h), counted in one confusion matrix over the whole set (and all replicas).
SegmentationEvalResult evaluate_segmentation(StagedNetworkImpl& network, data::Loader& loader, int64_t classes,
                                             BNBranch branch, torch::Device device,
                                             ProgressReporter* progress = nullptr, const ReplicaSum& replicas = {});

}  // namespace advbn
