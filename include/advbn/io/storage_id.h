#pragma once
// The persistent id torch.save gives each tensor storage:
//   zip format:    ('storage', storage_type, key, location, numel)
//   legacy format: ('storage', storage_type, key, location, numel, view_metadata)
// The location ('cpu', 'cuda:0', ...) is ignored: weights always load onto the CPU.
#include <advbn/io/pickle_reader.h>

#include <cstdint>
#include <string>

namespace advbn::io {

struct StorageId {
  at::ScalarType dtype = at::ScalarType::Undefined;
  std::string key;
  int64_t numel = 0;
  // numel times the element size; checked not to overflow.
  uint64_t nbytes = 0;
};

// Throws advbn::Error naming `source` when the id is malformed, names an unknown storage
// type or, in the legacy format, a storage view (a pre-1.0 feature that is not supported).
StorageId parse_storage_id(const PickleValue& id, const std::string& source);

}  // namespace advbn::io
