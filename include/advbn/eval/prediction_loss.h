#pragma once
// The loss that every method minimises, every attack maximises and every evaluation reports, for
// both tasks: the cross-entropy of class scores N × K against labels N (classification), or of
// per-pixel scores N × K × h × w against label maps N × H × W (segmentation). Per-pixel scores
// are first upsampled bilinearly to the labels' size, as torchvision's segmentation models do,
// and pixels labelled data::kIgnoreLabel count nowhere.
#include <torch/types.h>

namespace advbn {

// Whether `labels` are label maps (segmentation) rather than one class per image.
inline bool is_dense(const torch::Tensor& labels) { return labels.dim() == 3; }

// The scores at the labels' resolution: unchanged for classification, upsampled for label maps.
torch::Tensor dense_logits(const torch::Tensor& logits, const torch::Tensor& labels);

// Mean cross-entropy over images (classification) or labelled pixels (segmentation).
torch::Tensor prediction_loss(const torch::Tensor& logits, const torch::Tensor& labels);

// The loss summed over images: for segmentation, each image's share of the mean over labelled
// pixels (mean × N), so that a sum over batches divided by the images is the mean loss.
double summed_prediction_loss(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace advbn
