// CIFAR binary batches. The first byte chooses the variant (even: CIFAR-10's test_batch.bin,
// odd: CIFAR-100's test.bin, whose records carry two label bytes); the rest is the file.
#include <advbn/data/cifar_dataset.h>
#include <advbn/error.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "scratch_dir.h"

namespace {

constexpr size_t kMaxSamplesRead = 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const advbn::fuzz::ScratchDir scratch;
  if (size < 1) return 0;
  const auto folder = scratch.path() / "cifar";
  std::filesystem::remove_all(folder);
  scratch.write((data[0] % 2 == 0) ? "cifar/test_batch.bin" : "cifar/test.bin", data + 1, size - 1);
  try {
    const auto dataset = advbn::data::open_cifar(folder.string(), advbn::data::Split::Test);
    for (size_t i = 0; i < std::min(dataset->size(), kMaxSamplesRead); ++i) {
      const auto sample = dataset->get(i);
      if (sample.image.empty() || sample.label < 0 || sample.label >= dataset->num_classes()) __builtin_trap();
    }
  } catch (const advbn::Error&) {
  }
  return 0;
}
