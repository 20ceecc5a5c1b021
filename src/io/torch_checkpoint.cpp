#include <advbn/error.h>
#include <advbn/io/data_parallel_prefix.h>
#include <advbn/io/input_file.h>
#include <advbn/io/legacy_checkpoint.h>
#include <advbn/io/pickle_writer.h>
#include <advbn/io/torch_checkpoint.h>
#include <advbn/io/zip_archive.h>
#include <advbn/io/zip_checkpoint.h>

#include <algorithm>
#include <unordered_set>

namespace advbn::io {
namespace {

// Training scripts wrap the state dict in a dict with epochs, optimiser state and the like;
// these are the keys they commonly put it under, most specific first.
constexpr const char* kWrapperKeys[] = {"state_dict", "model_state_dict", "model"};
constexpr int kMaxWrapperDepth = 4;

bool is_zip(const std::string& path) {
  InputFile file(path);
  uint8_t head[4] = {};
  const size_t count = static_cast<size_t>(std::min<uint64_t>(file.size(), sizeof head));
  file.read(head, count);
  return starts_like_zip(head, count);
}

StateDict state_dict_from(const PickleValue& value, const std::string& path, int depth) {
  if (value.kind != PickleValue::Kind::Dict) {
    throw Error("'" + path + "' holds a " + std::string(kind_name(value.kind)) +
                ", not a state dict (a dict of tensors)");
  }
  if (depth < kMaxWrapperDepth) {
    for (const char* key : kWrapperKeys) {
      const PickleValue* inner = value.find(key);
      if (inner != nullptr && inner->kind == PickleValue::Kind::Dict) return state_dict_from(*inner, path, depth + 1);
    }
  }
  StateDict weights;
  weights.reserve(value.entries.size());
  for (const auto& [key, tensor] : value.entries) {
    if (key->kind != PickleValue::Kind::String) {
      throw Error("'" + path + "' is not a state dict: it has a key of type " + kind_name(key->kind) +
                  " (expected names, or a state dict under 'state_dict', 'model_state_dict' or 'model')");
    }
    if (tensor->kind != PickleValue::Kind::Tensor) {
      throw Error("'" + path + "' is not a state dict: '" + key->text + "' is a " + kind_name(tensor->kind) +
                  ", not a tensor (expected a state dict, or one under 'state_dict', 'model_state_dict' or 'model')");
    }
    weights.emplace_back(key->text, tensor->tensor);
  }
  return weights;
}

const char* storage_class(at::ScalarType dtype, const std::string& path, const std::string& name) {
  switch (dtype) {
    case at::ScalarType::Float:
      return "FloatStorage";
    case at::ScalarType::Double:
      return "DoubleStorage";
    case at::ScalarType::Half:
      return "HalfStorage";
    case at::ScalarType::BFloat16:
      return "BFloat16Storage";
    case at::ScalarType::Long:
      return "LongStorage";
    case at::ScalarType::Int:
      return "IntStorage";
    case at::ScalarType::Short:
      return "ShortStorage";
    case at::ScalarType::Char:
      return "CharStorage";
    case at::ScalarType::Byte:
      return "ByteStorage";
    case at::ScalarType::Bool:
      return "BoolStorage";
    default:
      throw Error("cannot write '" + path + "': tensor '" + name + "' has unsupported dtype " +
                  std::string(c10::toString(dtype)));
  }
}

void new_ordered_dict(PickleWriter& pickle) {
  pickle.global("collections", "OrderedDict");
  pickle.empty_tuple();
  pickle.reduce();
}

// torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())
void pickle_tensor(PickleWriter& pickle, const at::Tensor& tensor, const std::string& storage_key,
                   const char* storage_type) {
  pickle.global("torch._utils", "_rebuild_tensor_v2");
  pickle.mark();
  pickle.mark();
  pickle.string("storage");
  pickle.global("torch", storage_type);
  pickle.string(storage_key);
  pickle.string("cpu");
  pickle.integer(tensor.numel());
  pickle.tuple();
  pickle.persistent_id();
  pickle.integer(0);
  pickle.mark();
  for (const int64_t size : tensor.sizes()) pickle.integer(size);
  pickle.tuple();
  pickle.mark();
  for (const int64_t stride : tensor.strides()) pickle.integer(stride);
  pickle.tuple();
  pickle.boolean(false);
  new_ordered_dict(pickle);
  pickle.tuple();
  pickle.reduce();
}

}  // namespace

StateDict read_torch_checkpoint(const std::string& path) {
  const Unpickled object = is_zip(path) ? read_zip_checkpoint(path) : read_legacy_checkpoint(path);
  return strip_data_parallel_prefix(state_dict_from(object.root(), path, 0), path);
}

void write_torch_checkpoint(const std::string& path, const StateDict& weights) {
  // Each tensor gets its own storage holding exactly its elements: views of a larger tensor
  // would otherwise drag the whole storage into the file.
  std::vector<at::Tensor> contiguous;
  contiguous.reserve(weights.size());
  std::unordered_set<std::string> names;
  PickleWriter pickle;
  new_ordered_dict(pickle);
  if (!weights.empty()) {
    pickle.mark();
    for (const auto& [name, tensor] : weights) {
      if (!names.insert(name).second) throw Error("cannot write '" + path + "': weight '" + name + "' appears twice");
      if (!tensor.defined()) throw Error("cannot write '" + path + "': weight '" + name + "' is an undefined tensor");
      const char* storage_type = storage_class(tensor.scalar_type(), path, name);
      contiguous.push_back(tensor.detach().to(at::kCPU).contiguous());
      pickle.string(name);
      pickle_tensor(pickle, contiguous.back(), std::to_string(contiguous.size() - 1), storage_type);
    }
    pickle.set_items();
  }
  const std::vector<uint8_t> object = pickle.finish();

  ZipWriter archive(path);
  archive.add("archive/data.pkl", object.data(), object.size());
  static constexpr char kByteOrder[] = "little";
  archive.add("archive/byteorder", kByteOrder, sizeof kByteOrder - 1);
  for (size_t i = 0; i < contiguous.size(); ++i) {
    archive.add("archive/data/" + std::to_string(i), contiguous[i].data_ptr(), contiguous[i].nbytes());
  }
  // Version 3 is what PyTorch 1.6 to 2.x write for torch.save archives.
  static constexpr char kVersion[] = "3\n";
  archive.add("archive/version", kVersion, sizeof kVersion - 1);
  archive.finish();
}

}  // namespace advbn::io
