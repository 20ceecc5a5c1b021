#include <advbn/error.h>
#include <advbn/io/storage_id.h>
#include <advbn/io/zip_archive.h>
#include <advbn/io/zip_checkpoint.h>

namespace advbn::io {
namespace {

// data.pkl describes tensors, not their data: even models with thousands of tensors stay far
// below this.
constexpr uint64_t kMaxObjectPickleSize = uint64_t{256} << 20;
constexpr uint64_t kMaxSmallRecordSize = 64;

}  // namespace

Unpickled read_zip_checkpoint(const std::string& path) {
  ZipReader archive(path);
  if (archive.entries().empty()) throw Error("'" + path + "' is an empty zip archive, not a PyTorch checkpoint");
  const std::string& first = archive.entries().front().name;
  const size_t slash = first.find('/');
  if (slash == std::string::npos) {
    throw Error("'" + path + "' is not a PyTorch checkpoint: its zip entries are not inside a folder");
  }
  const std::string prefix = first.substr(0, slash + 1);
  const ZipEntry* object_entry = archive.find(prefix + "data.pkl");
  if (object_entry == nullptr) {
    throw Error("'" + path + "' is not a PyTorch checkpoint: it has no '" + prefix + "data.pkl'");
  }
  if (archive.find(prefix + "constants.pkl") != nullptr) {
    throw Error("'" + path +
                "' is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; "
                "save the model's state_dict() with torch.save instead");
  }
  // Storages are written in the host's byte order; newer PyTorch records it.
  if (const ZipEntry* byte_order = archive.find(prefix + "byteorder")) {
    const std::vector<uint8_t> order = archive.read(*byte_order, kMaxSmallRecordSize);
    if (std::string(order.begin(), order.end()) != "little") {
      throw Error("'" + path + "' stores tensors in big-endian byte order, which is not supported");
    }
  }

  const std::vector<uint8_t> object = archive.read(*object_entry, kMaxObjectPickleSize);
  StorageTable storages(path);
  const StorageResolver resolve = [&](const PickleValue& id) {
    const StorageId storage = parse_storage_id(id, path);
    if (const auto known = storages.find(storage)) return *known;
    const std::string record = prefix + "data/" + storage.key;
    const ZipEntry* entry = archive.find(record);
    if (entry == nullptr) throw Error("'" + path + "' is incomplete: storage record '" + record + "' is missing");
    if (entry->size != storage.nbytes) {
      throw Error("'" + path + "' is corrupt: storage record '" + record + "' has " + std::to_string(entry->size) +
                  " bytes but its tensors need " + std::to_string(storage.nbytes));
    }
    at::Tensor data = at::empty({storage.numel}, at::TensorOptions().dtype(storage.dtype));
    archive.read_into(*entry, data.data_ptr());
    storages.add(storage, data);
    return data;
  };
  MemorySource source(object.data(), object.size(), path + ": " + object_entry->name);
  return unpickle(source, resolve);
}

}  // namespace advbn::io
