// The restricted unpickler on raw bytes: any input must either become a value tree or be refused
// with advbn::Error. Persistent ids are resolved the way the checkpoint readers resolve them
// (parse_storage_id, then a fresh storage), so tensor rebuilding is reached too.
#include <advbn/error.h>
#include <advbn/io/byte_source.h>
#include <advbn/io/pickle_reader.h>
#include <advbn/io/storage_id.h>

#include <cstddef>
#include <cstdint>

#include "tensor_bounds.h"

namespace {

// A real checkpoint bounds storages by its file size; here the input's own size plays that role,
// with a floor so that small seeds still reach tensors.
constexpr uint64_t kMinStorageBudget = 1 << 16;

void visit(const advbn::io::PickleValue& value) {
  if (value.kind == advbn::io::PickleValue::Kind::Tensor) advbn::fuzz::trap_unless_within_storage(value.tensor);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint64_t budget = size > kMinStorageBudget ? size : kMinStorageBudget;
  const advbn::io::StorageResolver resolve = [&](const advbn::io::PickleValue& id) {
    const advbn::io::StorageId storage = advbn::io::parse_storage_id(id, "fuzz input");
    if (storage.nbytes > budget) throw advbn::Error("fuzz input: storage larger than the input");
    return at::zeros({storage.numel}, at::TensorOptions().dtype(storage.dtype));
  };
  try {
    advbn::io::MemorySource source(data, size, "fuzz input");
    const advbn::io::Unpickled result = advbn::io::unpickle(source, resolve);
    // Values live in an arena; walking the root's direct children is enough to touch the
    // tensors a state dict holds without recursing into hostile nesting.
    const advbn::io::PickleValue& root = result.root();
    visit(root);
    for (const auto* item : root.items) visit(*item);
    for (const auto& [key, value] : root.entries) {
      visit(*key);
      visit(*value);
    }
  } catch (const advbn::Error&) {
  }
  return 0;
}
