#pragma once
// A restricted unpickler for PyTorch checkpoints. It builds a small value tree instead of
// objects and never runs anything: the only globals it accepts are the handful torch.save
// needs to rebuild tensors and containers; any other global (os.system, builtins.eval, a
// custom class) is refused with an advbn::Error naming it. Persistent ids, which torch uses
// for tensor storages, are resolved by a caller-supplied function.
//
// Supported: the binary opcodes of protocols 2 to 5 that torch.save and Python emit for
// None, bool, int, float, str, bytes, tuple, list, dict, collections.OrderedDict and tensors.
#include <ATen/ATen.h>
#include <advbn/io/byte_source.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace advbn::io {

struct PickleValue {
  enum class Kind { None, Bool, Int, LargeInt, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor };

  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  // String and Bytes: the contents; LargeInt: little-endian two's complement bytes of an
  // integer too wide for int64; Global: "module.name".
  std::string text;
  std::vector<const PickleValue*> items;                                   // Tuple, List
  std::vector<std::pair<const PickleValue*, const PickleValue*>> entries;  // Dict, in insertion order
  // Global naming a storage class (torch.FloatStorage, ...): the element type it stands for.
  at::ScalarType storage_dtype = at::ScalarType::Undefined;
  // Storage: a flat tensor of the storage's elements. Tensor: a view into such a storage.
  at::Tensor tensor;

  bool is_string(const std::string& value) const { return kind == Kind::String && text == value; }
  // Dict lookup by string key; nullptr when absent or not a dict.
  const PickleValue* find(const std::string& key) const;
};

const char* kind_name(PickleValue::Kind kind);

// Owns every value of one unpickled object; the tree stays valid as long as this does.
// Values live in an arena rather than owning each other, so cyclic or deeply nested input
// (which a hostile pickle can build with the memo) can neither leak nor overflow the stack
// on destruction.
class Unpickled {
 public:
  const PickleValue& root() const { return *root_; }

 private:
  friend class Unpickler;
  std::vector<std::unique_ptr<PickleValue>> values_;
  const PickleValue* root_ = nullptr;
};

// Receives the value given to a persistent id (for torch, a tuple starting with 'storage')
// and returns the storage it names as a flat tensor of the storage's element type.
using StorageResolver = std::function<at::Tensor(const PickleValue& persistent_id)>;

// Reads one pickle (up to and including its STOP opcode) from `source`. Without a resolver,
// a persistent id is an error.
Unpickled unpickle(ByteSource& source, const StorageResolver& resolve_storage = {});

}  // namespace advbn::io
