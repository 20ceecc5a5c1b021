#include <advbn/data/autoaugment.h>
#include <advbn/data/pipeline.h>
#include <advbn/data/transforms.h>
#include <advbn/error.h>

#include <torch/torch.h>

namespace advbn::data {

namespace {

void check_image_size(int image_size) {
  if (image_size < 1) {
    throw Error("pipeline image size must be at least 1, got " + std::to_string(image_size));
  }
}

// `op` on an augmented image, which must keep its size and type (batches are built from them).
cv::Mat apply_image_op(const Pipeline::ImageOp& op, const cv::Mat& image, size_t index) {
  cv::Mat changed = op(image, index);
  if (changed.size() != image.size() || changed.type() != image.type()) {
    throw Error("the pipeline's image operation changed image " + std::to_string(index) + " from " +
                std::to_string(image.cols) + "x" + std::to_string(image.rows) + " CV_8UC3 to " +
                std::to_string(changed.cols) + "x" + std::to_string(changed.rows) + " of type " +
                std::to_string(changed.type()) + "; it must keep size and type");
  }
  return changed;
}

}  // namespace

cv::Mat Pipeline::augment(const cv::Mat& image, size_t index, std::mt19937_64& rng) const {
  cv::Mat out = grayscale_to_rgb(image);
  switch (geometry) {
    case Geometry::RandomResizedCrop: out = random_resized_crop(out, image_size, rng); break;
    case Geometry::PaddedRandomCrop:
      out = random_crop(center_crop(resize_shorter_side(out, image_size), image_size), image_size,
                        padding, rng);
      break;
    case Geometry::ResizeCenterCrop:
      out = center_crop(resize_shorter_side(out, resize_size), image_size);
      break;
    case Geometry::Fit: out = center_crop(resize_shorter_side(out, image_size), image_size); break;
    case Geometry::WholeImage: break;
    case Geometry::ScaleCrop: throw Error("the ScaleCrop geometry needs a label map (augment_labelled)");
  }
  if (horizontal_flip) out = random_horizontal_flip(out, rng);
  if (autoaugment) out = auto_augment(out, rng);
  if (image_op) out = apply_image_op(*image_op, out, index);
  return out;
}

LabelledImage Pipeline::augment_labelled(const cv::Mat& image, const cv::Mat& labels, size_t index,
                                        std::mt19937_64& rng) const {
  if (geometry != Geometry::ScaleCrop && geometry != Geometry::WholeImage) {
    throw Error("images with label maps need a segmentation geometry (ScaleCrop or WholeImage)");
  }
  if (autoaugment) throw Error("AutoAugment does not apply to segmentation: its operations would move labels");
  LabelledImage out{grayscale_to_rgb(image), labels};
  if (geometry == Geometry::ScaleCrop) {
    out = random_crop(random_scale(out, min_scale, max_scale, rng), image_size, rng);
  }
  if (horizontal_flip) out = random_horizontal_flip(out, rng);
  if (image_op) out.image = apply_image_op(*image_op, out.image, index);
  return out;
}

torch::Tensor Pipeline::apply(const cv::Mat& image, size_t index, std::mt19937_64& rng) const {
  return to_tensor(augment(image, index, rng), normalization);
}

Pipeline train_pipeline(Augmentation augment, int image_size, bool small_images,
                        const Normalization& normalization) {
  Pipeline pipeline = eval_pipeline(image_size, small_images, normalization);
  if (augment == Augmentation::None) return pipeline;
  pipeline.horizontal_flip = true;
  pipeline.autoaugment = augment == Augmentation::AutoAugment;
  if (small_images) {
    pipeline.geometry = Pipeline::Geometry::PaddedRandomCrop;
    pipeline.padding = image_size / 8;  // 4 px at 32 px, the usual CIFAR padding
  } else {
    pipeline.geometry = Pipeline::Geometry::RandomResizedCrop;
  }
  return pipeline;
}

Pipeline eval_pipeline(int image_size, bool small_images, const Normalization& normalization) {
  check_image_size(image_size);
  Pipeline pipeline;
  pipeline.image_size = image_size;
  pipeline.normalization = normalization;
  if (small_images) {
    pipeline.geometry = Pipeline::Geometry::Fit;
  } else {
    pipeline.geometry = Pipeline::Geometry::ResizeCenterCrop;
    pipeline.resize_size = image_size * 256 / 224;  // 256 for 224, torchvision's ratio
  }
  return pipeline;
}

Pipeline segmentation_train_pipeline(Augmentation augment, int crop_size, const Normalization& normalization) {
  if (augment == Augmentation::AutoAugment) {
    throw Error("AutoAugment does not apply to segmentation (its operations would move labels); use basic or none");
  }
  check_image_size(crop_size);
  Pipeline pipeline;
  pipeline.geometry = Pipeline::Geometry::ScaleCrop;
  pipeline.image_size = crop_size;
  pipeline.normalization = normalization;
  if (augment == Augmentation::None) pipeline.min_scale = pipeline.max_scale = 1.0;
  pipeline.horizontal_flip = augment == Augmentation::Basic;
  return pipeline;
}

Pipeline segmentation_eval_pipeline(const Normalization& normalization) {
  Pipeline pipeline;
  pipeline.geometry = Pipeline::Geometry::WholeImage;
  pipeline.image_size = 0;
  pipeline.normalization = normalization;
  return pipeline;
}

Pipeline with_image_op(Pipeline pipeline, Pipeline::ImageOp op) {
  pipeline.image_op = std::move(op);
  return pipeline;
}

}  // namespace advbn::data
