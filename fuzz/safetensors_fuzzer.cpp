// Safetensors files: the header length, the JSON header, dtypes, shapes and byte ranges, and the
// metadata map, each of which a hostile file controls.
#include <advbn/error.h>
#include <advbn/io/safetensors.h>

#include <cstddef>
#include <cstdint>

#include "scratch_dir.h"
#include "tensor_bounds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const advbn::fuzz::ScratchDir scratch;
  const std::string path = scratch.write("input.safetensors", data, size);
  try {
    for (const auto& [name, tensor] : advbn::io::read_safetensors(path)) {
      advbn::fuzz::trap_unless_within_storage(tensor);
    }
  } catch (const advbn::Error&) {
  }
  try {
    advbn::io::read_safetensors_metadata(path);
  } catch (const advbn::Error&) {
  }
  return 0;
}
