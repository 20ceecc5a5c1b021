#include <advbn/data/normalization.h>

namespace advbn::data {

Normalization imagenet_normalization() {
  return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
}

}  // namespace advbn::data
