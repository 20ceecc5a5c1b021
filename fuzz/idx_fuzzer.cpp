// MNIST-style IDX datasets: an image file and a label file whose headers must agree with each
// other and with their sizes, plain or gzip-compressed. One input carries both files: two
// little-endian bytes give the label file's length, the label file follows, the rest is the
// image file (fuzz/make_corpus.py writes seeds in this layout).
#include <advbn/data/idx_dataset.h>
#include <advbn/error.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "scratch_dir.h"

namespace {

// Enough samples to reach every code path of get(); the rest only repeat them.
constexpr size_t kMaxSamplesRead = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const advbn::fuzz::ScratchDir scratch;
  if (size < 2) return 0;
  const size_t label_size = std::min<size_t>(data[0] | (size_t{data[1]} << 8), size - 2);
  scratch.write("idx/train-labels-idx1-ubyte", data + 2, label_size);
  scratch.write("idx/train-images-idx3-ubyte", data + 2 + label_size, size - 2 - label_size);
  try {
    const auto dataset = advbn::data::open_idx((scratch.path() / "idx").string(), advbn::data::Split::Train);
    for (size_t i = 0; i < std::min(dataset->size(), kMaxSamplesRead); ++i) {
      const auto sample = dataset->get(i);
      if (sample.image.empty() || sample.label < 0 || sample.label >= dataset->num_classes()) __builtin_trap();
    }
    dataset->description();
  } catch (const advbn::Error&) {
  }
  return 0;
}
