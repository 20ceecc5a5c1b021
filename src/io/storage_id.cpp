#include <advbn/error.h>
#include <advbn/io/storage_id.h>

#include <limits>

namespace advbn::io {

StorageId parse_storage_id(const PickleValue& id, const std::string& source) {
  const auto& fields = id.items;
  if (id.kind != PickleValue::Kind::Tuple || (fields.size() != 5 && fields.size() != 6) ||
      !fields[0]->is_string("storage")) {
    throw Error(source + ": malformed storage reference (expected a tuple ('storage', type, key, location, numel))");
  }
  StorageId storage;
  if (fields[1]->kind != PickleValue::Kind::Global || fields[1]->storage_dtype == at::ScalarType::Undefined) {
    throw Error(source + ": storage reference names no supported storage type");
  }
  storage.dtype = fields[1]->storage_dtype;
  if (fields[2]->kind != PickleValue::Kind::String) throw Error(source + ": storage key is not a string");
  storage.key = fields[2]->text;
  if (fields[4]->kind != PickleValue::Kind::Int || fields[4]->integer < 0) {
    throw Error(source + ": storage '" + storage.key + "' has an invalid element count");
  }
  storage.numel = fields[4]->integer;
  if (fields.size() == 6 && fields[5]->kind != PickleValue::Kind::None) {
    throw Error(source + ": storage '" + storage.key +
                "' is a storage view, a feature of pre-1.0 PyTorch checkpoints that is not supported; "
                "re-save the weights with a current PyTorch");
  }
  const auto element_size = static_cast<uint64_t>(c10::elementSize(storage.dtype));
  if (static_cast<uint64_t>(storage.numel) > std::numeric_limits<uint64_t>::max() / element_size) {
    throw Error(source + ": storage '" + storage.key + "' is impossibly large");
  }
  storage.nbytes = static_cast<uint64_t>(storage.numel) * element_size;
  return storage;
}

std::optional<at::Tensor> StorageTable::find(const StorageId& storage) const {
  const auto known = storages_.find(storage.key);
  if (known == storages_.end()) return std::nullopt;
  if (known->second.scalar_type() != storage.dtype || known->second.numel() != storage.numel) {
    throw Error("'" + source_ + "': storage '" + storage.key + "' is referenced with two different types or sizes");
  }
  return known->second;
}

std::optional<at::Tensor> StorageTable::take(const std::string& key) {
  const auto known = storages_.find(key);
  if (known == storages_.end()) return std::nullopt;
  at::Tensor data = known->second;
  storages_.erase(known);
  return data;
}

std::optional<std::string> StorageTable::remaining_key() const {
  if (storages_.empty()) return std::nullopt;
  return storages_.begin()->first;
}

}  // namespace advbn::io
