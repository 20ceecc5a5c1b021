#pragma once
// The training augmentations a run can choose (pipeline.h builds them).
#include <string>

namespace advbn::data {

enum class Augmentation {
  Basic,        // random crop + horizontal flip (segmentation: random scale, crop, flip)
  AutoAugment,  // Basic + torchvision's ImageNet AutoAugment policy (classification only)
  None,         // the evaluation geometry, no randomness (segmentation: a random crop alone)
};

// "basic", "autoaugment", "none"; parse_augmentation throws advbn::Error for another name.
Augmentation parse_augmentation(const std::string& name);
std::string to_string(Augmentation augmentation);

}  // namespace advbn::data
