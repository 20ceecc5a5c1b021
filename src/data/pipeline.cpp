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
  }
  if (horizontal_flip) out = random_horizontal_flip(out, rng);
  if (autoaugment) out = auto_augment(out, rng);
  if (image_op) {
    cv::Mat changed = (*image_op)(out, index);
    if (changed.size() != out.size() || changed.type() != out.type()) {
      throw Error("the pipeline's image operation changed image " + std::to_string(index) +
                  " from " + std::to_string(out.cols) + "x" + std::to_string(out.rows) +
                  " CV_8UC3 to " + std::to_string(changed.cols) + "x" +
                  std::to_string(changed.rows) + " of type " + std::to_string(changed.type()) +
                  "; it must keep size and type");
    }
    out = changed;
  }
  return out;
}

torch::Tensor Pipeline::apply(const cv::Mat& image, size_t index, std::mt19937_64& rng) const {
  return to_tensor(augment(image, index, rng), normalization);
}

Pipeline train_pipeline(const std::string& augment, int image_size, bool small_images,
                        const Normalization& normalization) {
  if (augment != "basic" && augment != "autoaugment" && augment != "none") {
    throw Error("unknown augmentation '" + augment + "'; expected basic, autoaugment or none");
  }
  Pipeline pipeline = eval_pipeline(image_size, small_images, normalization);
  if (augment == "none") return pipeline;
  pipeline.horizontal_flip = true;
  pipeline.autoaugment = augment == "autoaugment";
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

Pipeline with_image_op(Pipeline pipeline, Pipeline::ImageOp op) {
  pipeline.image_op = std::move(op);
  return pipeline;
}

}  // namespace advbn::data
