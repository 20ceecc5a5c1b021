#pragma once
// The preprocessing of one dataset as data: which geometric transform, whether to flip and to
// apply AutoAugment, the normalisation, and an optional extra image operation. A Pipeline turns a
// decoded sample into a network input; the randomness comes from the generator the caller passes
// (the loader seeds one per sample), so a Pipeline itself holds no state and is shared by threads.
//
// Order: grayscale → RGB, geometry, horizontal flip, AutoAugment, extra image op, normalise —
// torchvision's order for its ImageNet recipes, with the extra op last so a corruption sees the
// final crop, as ImageNet-C's corruptions do.
#include <advbn/data/augmentation.h>
#include <advbn/data/normalization.h>
#include <advbn/data/paired_transforms.h>

#include <opencv2/core.hpp>
#include <torch/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <random>
#include <string>

namespace advbn::data {

struct Pipeline {
  // Receives the uint8 RGB image after augmentation (image_size × image_size) and the sample's
  // dataset index (for deterministic per-image randomness); returns an image of the same size
  // and type. Called concurrently from loader threads.
  using ImageOp = std::function<cv::Mat(const cv::Mat& rgb, size_t index)>;

  enum class Geometry {
    RandomResizedCrop,  // training on large images: random area and aspect ratio, resized
    PaddedRandomCrop,   // training on small images: fit to image_size, pad, random window
    ResizeCenterCrop,   // evaluation on large images: shorter side to resize_size, centre crop
    Fit,                // evaluation on small images: shorter side to image_size, centre crop
    // Segmentation (images with label maps): training scales by a factor in [min_scale,
    // max_scale] and takes a random image_size window; evaluation keeps the whole image.
    ScaleCrop,
    WholeImage,
  };

  Geometry geometry = Geometry::Fit;
  int image_size = 224;
  int resize_size = 256;  // ResizeCenterCrop only
  int padding = 0;        // PaddedRandomCrop only
  double min_scale = 0.5, max_scale = 2.0;  // ScaleCrop only
  bool horizontal_flip = false;
  bool autoaugment = false;
  Normalization normalization = imagenet_normalization();
  std::optional<ImageOp> image_op;

  // The augmented uint8 RGB image (CV_8UC3, image_size × image_size) before normalisation.
  cv::Mat augment(const cv::Mat& image, size_t index, std::mt19937_64& rng) const;
  // Segmentation: the image and its label map (CV_8UC1) moved alike (paired_transforms.h), the
  // image op applied to the image. Throws advbn::Error for a classification geometry or
  // AutoAugment, whose operations would need label counterparts.
  LabelledImage augment_labelled(const cv::Mat& image, const cv::Mat& labels, size_t index,
                                 std::mt19937_64& rng) const;
  // augment() followed by to_tensor(): float32, 3 × image_size × image_size.
  torch::Tensor apply(const cv::Mat& image, size_t index, std::mt19937_64& rng) const;
};

// Training preprocessing: Basic (crop + flip), AutoAugment (crop + flip + AutoAugment) or None
// (the evaluation geometry, no randomness). Large images use RandomResizedCrop(image_size); small
// ones (at most 64 px, e.g. CIFAR, Fashion-MNIST) use RandomCrop(image_size, padding
// image_size / 8). Throws advbn::Error for image_size < 1.
Pipeline train_pipeline(Augmentation augment, int image_size, bool small_images,
                        const Normalization& normalization);

// Evaluation preprocessing: Resize(image_size · 256 / 224) + CenterCrop(image_size) for large
// images, a resize to image_size (identity at the native size) for small ones.
Pipeline eval_pipeline(int image_size, bool small_images, const Normalization& normalization);

// Segmentation training: ScaleCrop to crop_size with a random flip (Basic), or a random crop
// alone (None); throws advbn::Error for AutoAugment or crop_size < 1.
Pipeline segmentation_train_pipeline(Augmentation augment, int crop_size, const Normalization& normalization);

// Segmentation evaluation: whole images, unscaled.
Pipeline segmentation_eval_pipeline(const Normalization& normalization);

// The pipeline with `op` as its extra image operation (replacing any earlier one).
Pipeline with_image_op(Pipeline pipeline, Pipeline::ImageOp op);

}  // namespace advbn::data
