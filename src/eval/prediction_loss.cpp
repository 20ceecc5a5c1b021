#include "advbn/eval/prediction_loss.h"

#include <torch/nn/functional/loss.h>

#include "advbn/data/segmentation_labels.h"
#include "advbn/models/segmenter.h"

namespace advbn {

namespace F = torch::nn::functional;

torch::Tensor dense_logits(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (!is_dense(labels) || (logits.size(-2) == labels.size(-2) && logits.size(-1) == labels.size(-1))) return logits;
  return upsample_bilinear(logits, labels.size(-2), labels.size(-1));
}

torch::Tensor prediction_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (!is_dense(labels)) return F::cross_entropy(logits, labels);
  return F::cross_entropy(dense_logits(logits, labels), labels,
                          F::CrossEntropyFuncOptions().ignore_index(data::kIgnoreLabel));
}

double summed_prediction_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (!is_dense(labels)) {
    return F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
  }
  return prediction_loss(logits, labels).item<double>() * static_cast<double>(labels.size(0));
}

}  // namespace advbn
