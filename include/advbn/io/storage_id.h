#pragma once
// The persistent id torch.save gives each tensor storage:
//   zip format:    ('storage', storage_type, key, location, numel)
//   legacy format: ('storage', storage_type, key, location, numel, view_metadata)
// The location ('cpu', 'cuda:0', ...) is ignored: weights always load onto the CPU.
#include <advbn/io/pickle_reader.h>

#include <cstdint>
#include <map>
#include <optional>
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

// The storages of one file already rebuilt, by key: tensors that share a storage share its data.
class StorageTable {
 public:
  explicit StorageTable(std::string source) : source_(std::move(source)) {}

  // The data of `storage` if its key came before; throws advbn::Error naming the source when the
  // key comes back with another type or size.
  std::optional<at::Tensor> find(const StorageId& storage) const;
  void add(const StorageId& storage, const at::Tensor& data) { storages_.emplace(storage.key, data); }
  // Removes and returns the data of `key` (legacy files, whose data follows all tensors).
  std::optional<at::Tensor> take(const std::string& key);
  // A key not taken yet, if any.
  std::optional<std::string> remaining_key() const;

 private:
  std::string source_;
  std::map<std::string, at::Tensor> storages_;
};

}  // namespace advbn::io
