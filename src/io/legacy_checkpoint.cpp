#include <advbn/error.h>
#include <advbn/io/input_file.h>
#include <advbn/io/legacy_checkpoint.h>
#include <advbn/io/little_endian.h>
#include <advbn/io/storage_id.h>

namespace advbn::io {
namespace {

// 0x1950a86a20f9469cfc6c, little-endian, as pickled by torch.save.
const std::string kMagicNumber("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
constexpr int64_t kProtocolVersion = 1001;

void check_header(InputFile& file) {
  const std::string& path = file.name();
  uint8_t first = 0;
  if (file.size() > 0) {
    file.read(&first, 1);
    file.seek(0);
  }
  if (first != 0x80) {  // every pickle of protocol 2 or later starts with PROTO
    throw Error("'" + path + "' is not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save file)");
  }
  const Unpickled magic = unpickle(file);
  if (magic.root().kind != PickleValue::Kind::LargeInt || magic.root().text != kMagicNumber) {
    throw Error("'" + path +
                "' is not a PyTorch checkpoint: it starts with a pickle but not torch.save's magic number");
  }
  const Unpickled protocol = unpickle(file);
  if (protocol.root().kind != PickleValue::Kind::Int || protocol.root().integer != kProtocolVersion) {
    throw Error("'" + path + "' uses an unsupported legacy checkpoint protocol (expected " +
                std::to_string(kProtocolVersion) + ")");
  }
  const Unpickled system = unpickle(file);
  const PickleValue* little_endian = system.root().find("little_endian");
  if (little_endian == nullptr || little_endian->kind != PickleValue::Kind::Bool) {
    throw Error("'" + path + "' is corrupt: its system information does not state the byte order");
  }
  if (!little_endian->boolean) {
    throw Error("'" + path + "' was saved on a big-endian machine, which is not supported");
  }
}

}  // namespace

Unpickled read_legacy_checkpoint(const std::string& path) {
  InputFile file(path);
  check_header(file);

  // Storage data follows all pickles, so storages are allocated now and filled afterwards;
  // tensors are views and see the data once it is read. Their total size cannot exceed the
  // file, which bounds what a hostile file can make us allocate.
  StorageTable storages(path);
  uint64_t allocated = 0;
  const StorageResolver resolve = [&](const PickleValue& id) {
    const StorageId storage = parse_storage_id(id, path);
    if (const auto known = storages.find(storage)) return *known;
    if (storage.nbytes > file.size() - allocated) {
      throw Error("'" + path + "' is truncated or corrupt: storage '" + storage.key + "' needs " +
                  std::to_string(storage.nbytes) + " bytes, more than the file holds");
    }
    allocated += storage.nbytes;
    at::Tensor data = at::empty({storage.numel}, at::TensorOptions().dtype(storage.dtype));
    storages.add(storage, data);
    return data;
  };
  Unpickled object = unpickle(file, resolve);

  const Unpickled keys = unpickle(file);
  if (keys.root().kind != PickleValue::Kind::List) {
    throw Error("'" + path + "' is corrupt: the list of storage keys is missing");
  }
  for (const PickleValue* key : keys.root().items) {
    if (key->kind != PickleValue::Kind::String) throw Error("'" + path + "' is corrupt: a storage key is not a string");
    const auto storage = storages.take(key->text);
    if (!storage) {
      throw Error("'" + path + "' is corrupt: it stores data for storage '" + key->text + "', which no tensor uses");
    }
    uint8_t count_bytes[sizeof(int64_t)];
    file.read(count_bytes, sizeof count_bytes);
    const auto count = load_little_endian<int64_t>(count_bytes);
    if (count != storage->numel()) {
      throw Error("'" + path + "' is corrupt: storage '" + key->text + "' holds " + std::to_string(count) +
                  " elements but its tensors need " + std::to_string(storage->numel()));
    }
    file.read(storage->data_ptr(), storage->nbytes());
  }
  if (const auto missing = storages.remaining_key()) {
    throw Error("'" + path + "' is incomplete: no data for storage '" + *missing + "'");
  }
  return object;
}

}  // namespace advbn::io
