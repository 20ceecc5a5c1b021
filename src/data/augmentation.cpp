#include "advbn/data/augmentation.h"

#include "advbn/error.h"

namespace advbn::data {

Augmentation parse_augmentation(const std::string& name) {
  if (name == "basic") return Augmentation::Basic;
  if (name == "autoaugment") return Augmentation::AutoAugment;
  if (name == "none") return Augmentation::None;
  throw Error("unknown augmentation '" + name + "'; expected basic, autoaugment or none");
}

std::string to_string(Augmentation augmentation) {
  switch (augmentation) {
    case Augmentation::Basic: return "basic";
    case Augmentation::AutoAugment: return "autoaugment";
    case Augmentation::None: return "none";
  }
  return "";
}

}  // namespace advbn::data
