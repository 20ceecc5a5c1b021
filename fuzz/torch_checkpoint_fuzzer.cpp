// PyTorch checkpoints, zip and legacy, through the public entry point (format detection, the
// archive or pickle stream, storages, state-dict unwrapping). Seeded separately with zip and with
// legacy files, so each format gets its own campaign from the same binary.
#include <advbn/error.h>
#include <advbn/io/torch_checkpoint.h>

#include <cstddef>
#include <cstdint>

#include "scratch_dir.h"
#include "tensor_bounds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const advbn::fuzz::ScratchDir scratch;
  const std::string path = scratch.write("input.pth", data, size);
  try {
    for (const auto& [name, tensor] : advbn::io::read_torch_checkpoint(path)) {
      advbn::fuzz::trap_unless_within_storage(tensor);
    }
  } catch (const advbn::Error&) {
  }
  return 0;
}
