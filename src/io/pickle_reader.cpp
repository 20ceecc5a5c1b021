#include <advbn/error.h>
#include <advbn/io/little_endian.h>
#include <advbn/io/pickle_reader.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>

namespace advbn::io {
namespace {

// Bounds that no real checkpoint comes near but that keep hostile input from exhausting memory.
constexpr size_t kMaxValues = size_t{1} << 23;
constexpr size_t kMaxGlobalNameSize = 1024;
constexpr size_t kMaxTensorDims = 64;

struct AllowedGlobal {
  const char* name;
  at::ScalarType storage_dtype;
};

// The allow-list: containers, the functions torch uses to rebuild tensors, and the storage
// classes that name element types.
constexpr AllowedGlobal kAllowedGlobals[] = {
    {"collections.OrderedDict", at::ScalarType::Undefined},
    // Protocol 2 has no bytes opcode; Python 3 pickles bytes as _codecs.encode(text, 'latin1').
    {"_codecs.encode", at::ScalarType::Undefined},
    {"torch._utils._rebuild_tensor_v2", at::ScalarType::Undefined},
    {"torch._utils._rebuild_parameter", at::ScalarType::Undefined},
    {"torch._utils._rebuild_parameter_with_state", at::ScalarType::Undefined},
    {"torch.FloatStorage", at::ScalarType::Float},
    {"torch.DoubleStorage", at::ScalarType::Double},
    {"torch.HalfStorage", at::ScalarType::Half},
    {"torch.BFloat16Storage", at::ScalarType::BFloat16},
    {"torch.LongStorage", at::ScalarType::Long},
    {"torch.IntStorage", at::ScalarType::Int},
    {"torch.ShortStorage", at::ScalarType::Short},
    {"torch.CharStorage", at::ScalarType::Char},
    {"torch.ByteStorage", at::ScalarType::Byte},
    {"torch.BoolStorage", at::ScalarType::Bool},
};

namespace op {
constexpr uint8_t kMark = '(';
constexpr uint8_t kStop = '.';
constexpr uint8_t kPop = '0';
constexpr uint8_t kPopMark = '1';
constexpr uint8_t kDup = '2';
constexpr uint8_t kBinFloat = 'G';
constexpr uint8_t kBinInt = 'J';
constexpr uint8_t kBinInt1 = 'K';
constexpr uint8_t kBinInt2 = 'M';
constexpr uint8_t kNone = 'N';
constexpr uint8_t kBinPersId = 'Q';
constexpr uint8_t kReduce = 'R';
constexpr uint8_t kBinString = 'T';
constexpr uint8_t kShortBinString = 'U';
constexpr uint8_t kBinUnicode = 'X';
constexpr uint8_t kAppend = 'a';
constexpr uint8_t kBuild = 'b';
constexpr uint8_t kGlobal = 'c';
constexpr uint8_t kDict = 'd';
constexpr uint8_t kEmptyDict = '}';
constexpr uint8_t kAppends = 'e';
constexpr uint8_t kBinGet = 'h';
constexpr uint8_t kLongBinGet = 'j';
constexpr uint8_t kList = 'l';
constexpr uint8_t kEmptyList = ']';
constexpr uint8_t kBinPut = 'q';
constexpr uint8_t kLongBinPut = 'r';
constexpr uint8_t kSetItem = 's';
constexpr uint8_t kTuple = 't';
constexpr uint8_t kEmptyTuple = ')';
constexpr uint8_t kSetItems = 'u';
constexpr uint8_t kBinBytes = 'B';
constexpr uint8_t kShortBinBytes = 'C';
constexpr uint8_t kProto = 0x80;
constexpr uint8_t kTuple1 = 0x85;
constexpr uint8_t kTuple2 = 0x86;
constexpr uint8_t kTuple3 = 0x87;
constexpr uint8_t kNewTrue = 0x88;
constexpr uint8_t kNewFalse = 0x89;
constexpr uint8_t kLong1 = 0x8a;
constexpr uint8_t kLong4 = 0x8b;
constexpr uint8_t kShortBinUnicode = 0x8c;
constexpr uint8_t kBinUnicode8 = 0x8d;
constexpr uint8_t kBinBytes8 = 0x8e;
constexpr uint8_t kStackGlobal = 0x93;
constexpr uint8_t kMemoize = 0x94;
constexpr uint8_t kFrame = 0x95;
}  // namespace op

constexpr uint8_t kHighestProtocol = 5;

}  // namespace

const char* kind_name(PickleValue::Kind kind) {
  switch (kind) {
    case PickleValue::Kind::None:
      return "None";
    case PickleValue::Kind::Bool:
      return "bool";
    case PickleValue::Kind::Int:
      return "int";
    case PickleValue::Kind::LargeInt:
      return "large int";
    case PickleValue::Kind::Float:
      return "float";
    case PickleValue::Kind::String:
      return "str";
    case PickleValue::Kind::Bytes:
      return "bytes";
    case PickleValue::Kind::Tuple:
      return "tuple";
    case PickleValue::Kind::List:
      return "list";
    case PickleValue::Kind::Dict:
      return "dict";
    case PickleValue::Kind::Global:
      return "global";
    case PickleValue::Kind::Storage:
      return "storage";
    case PickleValue::Kind::Tensor:
      return "tensor";
  }
  return "unknown";
}

const PickleValue* PickleValue::find(const std::string& key) const {
  if (kind != Kind::Dict) return nullptr;
  for (const auto& [entry_key, value] : entries) {
    if (entry_key->is_string(key)) return value;
  }
  return nullptr;
}

class Unpickler {
 public:
  Unpickler(ByteSource& source, const StorageResolver& resolve_storage)
      : source_(source), resolve_storage_(resolve_storage) {}

  Unpickled run() {
    for (;;) {
      opcode_position_ = source_.position();
      const uint8_t opcode = read_byte();
      if (opcode == op::kStop) {
        result_.root_ = pop();
        if (!stack_.empty() || !marks_.empty()) fail("pickle ends with unused values on its stack");
        return std::move(result_);
      }
      execute(opcode);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(source_.name() + ": " + what + " (pickle offset " + std::to_string(opcode_position_) + ")");
  }

  PickleValue* make(PickleValue::Kind kind) {
    if (result_.values_.size() >= kMaxValues) {
      fail("pickle holds more than " + std::to_string(kMaxValues) + " values");
    }
    result_.values_.push_back(std::make_unique<PickleValue>());
    result_.values_.back()->kind = kind;
    return result_.values_.back().get();
  }

  uint8_t read_byte() {
    uint8_t byte = 0;
    source_.read(&byte, 1);
    return byte;
  }

  template <typename T>
  T read_number() {
    uint8_t bytes[sizeof(T)];
    source_.read(bytes, sizeof bytes);
    return load_little_endian<T>(bytes);
  }

  std::string read_bytes(uint64_t count) {
    if (count > source_.remaining()) {
      fail("a string or bytes object of " + std::to_string(count) + " bytes runs past the end of the data");
    }
    std::string bytes(static_cast<size_t>(count), '\0');
    source_.read(bytes.data(), bytes.size());
    return bytes;
  }

  std::string read_line() {
    std::string line;
    for (char c = static_cast<char>(read_byte()); c != '\n'; c = static_cast<char>(read_byte())) {
      if (line.size() >= kMaxGlobalNameSize)
        fail("a global name is longer than " + std::to_string(kMaxGlobalNameSize) + " bytes");
      line.push_back(c);
    }
    return line;
  }

  // The part of the stack above the innermost mark, as Python's unpickler sees it.
  size_t stack_floor() const { return marks_.empty() ? 0 : marks_.back(); }

  void push(PickleValue* value) { stack_.push_back(value); }

  PickleValue* pop() {
    if (stack_.size() <= stack_floor()) fail("pickle stack underflow");
    PickleValue* value = stack_.back();
    stack_.pop_back();
    return value;
  }

  PickleValue* top() {
    if (stack_.size() <= stack_floor()) fail("pickle stack underflow");
    return stack_.back();
  }

  std::vector<const PickleValue*> pop_to_mark() {
    if (marks_.empty()) fail("pickle uses a mark that was never set");
    std::vector<const PickleValue*> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }

  PickleValue* require(PickleValue* value, PickleValue::Kind kind, const char* role) {
    if (value->kind != kind) {
      fail(std::string(role) + " must be a " + kind_name(kind) + ", not a " + kind_name(value->kind));
    }
    return value;
  }

  void push_int(int64_t value) {
    PickleValue* v = make(PickleValue::Kind::Int);
    v->integer = value;
    push(v);
  }

  void push_text(PickleValue::Kind kind, uint64_t size) {
    PickleValue* v = make(kind);
    v->text = read_bytes(size);
    push(v);
  }

  void push_long(uint64_t size) {
    std::string bytes = read_bytes(size);
    if (bytes.size() > sizeof(int64_t)) {
      PickleValue* v = make(PickleValue::Kind::LargeInt);
      v->text = std::move(bytes);
      push(v);
      return;
    }
    uint64_t value = 0;
    for (size_t i = 0; i < bytes.size(); ++i) value |= uint64_t{static_cast<uint8_t>(bytes[i])} << (8 * i);
    if (!bytes.empty() && bytes.size() < sizeof(int64_t) && (static_cast<uint8_t>(bytes.back()) & 0x80)) {
      value |= ~uint64_t{0} << (8 * bytes.size());  // sign-extend
    }
    push_int(static_cast<int64_t>(value));
  }

  void push_tuple(std::vector<const PickleValue*> items) {
    PickleValue* tuple = make(PickleValue::Kind::Tuple);
    tuple->items = std::move(items);
    push(tuple);
  }

  void set_item(PickleValue* dict, const PickleValue* key, const PickleValue* value) {
    require(dict, PickleValue::Kind::Dict, "the target of SETITEM");
    std::string signature;
    switch (key->kind) {
      case PickleValue::Kind::String:
        signature = "s" + key->text;
        break;
      case PickleValue::Kind::Bytes:
        signature = "b" + key->text;
        break;
      case PickleValue::Kind::LargeInt:
        signature = "l" + key->text;
        break;
      case PickleValue::Kind::Int:
        signature = "i" + std::to_string(key->integer);
        break;
      // Python treats True and 1 as the same key.
      case PickleValue::Kind::Bool:
        signature = key->boolean ? "i1" : "i0";
        break;
      case PickleValue::Kind::None:
        signature = "n";
        break;
      default:
        fail(std::string("dict keys of type ") + kind_name(key->kind) + " are not supported");
    }
    auto& keys = dict_keys_[dict];
    const auto [position, inserted] = keys.emplace(std::move(signature), dict->entries.size());
    if (inserted) {
      dict->entries.emplace_back(key, value);
    } else {
      dict->entries[position->second].second = value;
    }
  }

  PickleValue* global(const std::string& module, const std::string& name) {
    const std::string qualified = module + "." + name;
    for (const AllowedGlobal& allowed : kAllowedGlobals) {
      if (qualified == allowed.name) {
        PickleValue* value = make(PickleValue::Kind::Global);
        value->text = qualified;
        value->storage_dtype = allowed.storage_dtype;
        return value;
      }
    }
    throw Error(source_.name() + ": refused to load global '" + qualified +
                "' (only tensors and containers are allowed)");
  }

  PickleValue* reduce(PickleValue* callable, PickleValue* args) {
    require(callable, PickleValue::Kind::Global, "the callable of REDUCE");
    require(args, PickleValue::Kind::Tuple, "the arguments of REDUCE");
    const std::string& name = callable->text;
    if (name == "collections.OrderedDict") {
      if (!args->items.empty()) fail("collections.OrderedDict with constructor arguments is not supported");
      return make(PickleValue::Kind::Dict);
    }
    if (name == "_codecs.encode") return latin1_bytes(args->items);
    if (name == "torch._utils._rebuild_tensor_v2") return rebuild_tensor(args->items);
    if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
      // A parameter is its data tensor; gradients and hooks do not survive a weight file.
      if (args->items.empty() || args->items[0]->kind != PickleValue::Kind::Tensor) {
        fail(name + " expects a tensor as its first argument");
      }
      // Every value belongs to this unpickler's arena, so handing it back as mutable is safe.
      return const_cast<PickleValue*>(args->items[0]);
    }
    fail("'" + name + "' cannot be called");
  }

  // _codecs.encode(text, 'latin1'): each code point of the UTF-8 text below 256 is one byte.
  PickleValue* latin1_bytes(const std::vector<const PickleValue*>& args) {
    if (args.size() != 2 || args[0]->kind != PickleValue::Kind::String ||
        !(args[1]->is_string("latin1") || args[1]->is_string("latin-1"))) {
      fail("_codecs.encode is only accepted as encode(str, 'latin1'), the way pickle stores bytes");
    }
    const std::string& text = args[0]->text;
    PickleValue* bytes = make(PickleValue::Kind::Bytes);
    for (size_t i = 0; i < text.size(); ++i) {
      const auto lead = static_cast<uint8_t>(text[i]);
      if (lead < 0x80) {
        bytes->text.push_back(static_cast<char>(lead));
      } else if ((lead & 0xfe) == 0xc2 && i + 1 < text.size() && (static_cast<uint8_t>(text[i + 1]) & 0xc0) == 0x80) {
        bytes->text.push_back(static_cast<char>(((lead & 0x03) << 6) | (static_cast<uint8_t>(text[++i]) & 0x3f)));
      } else {
        fail("_codecs.encode argument is not latin-1 text");
      }
    }
    return bytes;
  }

  int64_t non_negative(const PickleValue* value, const char* what) {
    if (value->kind != PickleValue::Kind::Int || value->integer < 0) {
      fail(std::string("tensor ") + what + " must be a non-negative int");
    }
    return value->integer;
  }

  std::vector<int64_t> shape_tuple(const PickleValue* value, const char* what) {
    if (value->kind != PickleValue::Kind::Tuple) fail(std::string("tensor ") + what + " must be a tuple");
    if (value->items.size() > kMaxTensorDims) {
      fail(std::string("tensor ") + what + " has more than " + std::to_string(kMaxTensorDims) + " dimensions");
    }
    std::vector<int64_t> numbers;
    for (const PickleValue* item : value->items) numbers.push_back(non_negative(item, what));
    return numbers;
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  PickleValue* rebuild_tensor(const std::vector<const PickleValue*>& args) {
    if (args.size() != 6 && args.size() != 7) fail("_rebuild_tensor_v2 expects 6 or 7 arguments");
    if (args[0]->kind != PickleValue::Kind::Storage) fail("_rebuild_tensor_v2 expects a storage as its first argument");
    const at::Tensor& storage = args[0]->tensor;
    const int64_t offset = non_negative(args[1], "storage offset");
    const std::vector<int64_t> sizes = shape_tuple(args[2], "size");
    const std::vector<int64_t> strides = shape_tuple(args[3], "stride");
    if (sizes.size() != strides.size()) fail("tensor size and stride have different lengths");
    // The last element the view touches must lie inside the storage; an empty tensor touches
    // none and only needs its offset inside. Each term is below 2^126 and the sum is checked
    // after every step, so 128-bit arithmetic cannot overflow whatever the file claims.
    const auto storage_numel = static_cast<unsigned __int128>(storage.numel());
    const bool empty = std::find(sizes.begin(), sizes.end(), 0) != sizes.end();
    unsigned __int128 end = static_cast<unsigned __int128>(offset);
    bool fits = empty ? end <= storage_numel : end < storage_numel;
    for (size_t i = 0; i < sizes.size() && !empty && fits; ++i) {
      end += static_cast<unsigned __int128>(sizes[i] - 1) * static_cast<uint64_t>(strides[i]);
      fits = end < storage_numel;
    }
    if (!fits) {
      fail("tensor of size " + c10::str(at::IntArrayRef(sizes)) + ", stride " + c10::str(at::IntArrayRef(strides)) +
           " and offset " + std::to_string(offset) + " does not fit its storage of " + std::to_string(storage.numel()) +
           " elements");
    }
    PickleValue* tensor = make(PickleValue::Kind::Tensor);
    tensor->tensor = storage.as_strided(sizes, strides, offset);
    return tensor;
  }

  void execute(uint8_t opcode) {
    using Kind = PickleValue::Kind;
    switch (opcode) {
      case op::kProto: {
        const uint8_t protocol = read_byte();
        if (protocol > kHighestProtocol) fail("unsupported pickle protocol " + std::to_string(protocol));
        return;
      }
      case op::kFrame:
        read_number<uint64_t>();
        return;  // framing only helps buffered readers
      case op::kMark:
        marks_.push_back(stack_.size());
        return;
      case op::kPop:
        if (stack_.size() > stack_floor()) {
          stack_.pop_back();
        } else {
          pop_to_mark();
        }
        return;
      case op::kPopMark:
        pop_to_mark();
        return;
      case op::kDup:
        push(top());
        return;
      case op::kNone:
        push(make(Kind::None));
        return;
      case op::kNewTrue:
      case op::kNewFalse: {
        PickleValue* v = make(Kind::Bool);
        v->boolean = opcode == op::kNewTrue;
        push(v);
        return;
      }
      case op::kBinInt:
        push_int(read_number<int32_t>());
        return;
      case op::kBinInt1:
        push_int(read_byte());
        return;
      case op::kBinInt2:
        push_int(read_number<uint16_t>());
        return;
      case op::kLong1:
        push_long(read_byte());
        return;
      case op::kLong4: {
        const int32_t size = read_number<int32_t>();
        if (size < 0) fail("negative LONG4 length");
        push_long(static_cast<uint64_t>(size));
        return;
      }
      case op::kBinFloat: {
        uint8_t bytes[8];
        source_.read(bytes, sizeof bytes);
        std::reverse(bytes, bytes + 8);  // pickle stores doubles big-endian
        PickleValue* v = make(Kind::Float);
        std::memcpy(&v->real, bytes, sizeof v->real);
        push(v);
        return;
      }
      case op::kBinUnicode:
        push_text(Kind::String, read_number<uint32_t>());
        return;
      case op::kShortBinUnicode:
        push_text(Kind::String, read_byte());
        return;
      case op::kBinUnicode8:
        push_text(Kind::String, read_number<uint64_t>());
        return;
      case op::kBinString: {
        const int32_t size = read_number<int32_t>();
        if (size < 0) fail("negative BINSTRING length");
        push_text(Kind::String, static_cast<uint64_t>(size));
        return;
      }
      case op::kShortBinString:
        push_text(Kind::String, read_byte());
        return;
      case op::kBinBytes:
        push_text(Kind::Bytes, read_number<uint32_t>());
        return;
      case op::kShortBinBytes:
        push_text(Kind::Bytes, read_byte());
        return;
      case op::kBinBytes8:
        push_text(Kind::Bytes, read_number<uint64_t>());
        return;
      case op::kEmptyTuple:
        push_tuple({});
        return;
      case op::kTuple:
        push_tuple(pop_to_mark());
        return;
      case op::kTuple1:
      case op::kTuple2:
      case op::kTuple3: {
        std::vector<const PickleValue*> items(opcode - op::kTuple1 + 1);
        for (auto item = items.rbegin(); item != items.rend(); ++item) *item = pop();
        push_tuple(std::move(items));
        return;
      }
      case op::kEmptyList:
        push(make(Kind::List));
        return;
      case op::kList: {
        PickleValue* list = make(Kind::List);
        list->items = pop_to_mark();
        push(list);
        return;
      }
      case op::kAppend: {
        PickleValue* item = pop();
        require(top(), Kind::List, "the target of APPEND")->items.push_back(item);
        return;
      }
      case op::kAppends: {
        std::vector<const PickleValue*> items = pop_to_mark();
        PickleValue* list = require(top(), Kind::List, "the target of APPENDS");
        list->items.insert(list->items.end(), items.begin(), items.end());
        return;
      }
      case op::kEmptyDict:
        push(make(Kind::Dict));
        return;
      case op::kDict: {
        std::vector<const PickleValue*> items = pop_to_mark();
        if (items.size() % 2 != 0) fail("DICT needs an even number of items");
        PickleValue* dict = make(Kind::Dict);
        for (size_t i = 0; i < items.size(); i += 2) set_item(dict, items[i], items[i + 1]);
        push(dict);
        return;
      }
      case op::kSetItem: {
        PickleValue* value = pop();
        PickleValue* key = pop();
        set_item(top(), key, value);
        return;
      }
      case op::kSetItems: {
        std::vector<const PickleValue*> items = pop_to_mark();
        if (items.size() % 2 != 0) fail("SETITEMS needs an even number of items");
        PickleValue* dict = top();
        for (size_t i = 0; i < items.size(); i += 2) set_item(dict, items[i], items[i + 1]);
        return;
      }
      case op::kGlobal: {
        const std::string module = read_line();
        const std::string name = read_line();
        push(global(module, name));
        return;
      }
      case op::kStackGlobal: {
        const PickleValue* name = require(pop(), Kind::String, "the name of STACK_GLOBAL");
        const PickleValue* module = require(pop(), Kind::String, "the module of STACK_GLOBAL");
        push(global(module->text, name->text));
        return;
      }
      case op::kReduce: {
        PickleValue* args = pop();
        PickleValue* callable = pop();
        push(reduce(callable, args));
        return;
      }
      case op::kBuild: {
        const PickleValue* state = pop();
        // torch.save stores a state dict's `_metadata` (module versions) as the OrderedDict's
        // state; weights do not depend on it.
        if (top()->kind != Kind::Dict) {
          fail(std::string("BUILD on a ") + kind_name(top()->kind) + " (with a " + kind_name(state->kind) +
               " state) is not supported");
        }
        return;
      }
      case op::kBinPersId: {
        const PickleValue* id = pop();
        if (!resolve_storage_) fail("unexpected persistent id (this pickle should not reference storages)");
        PickleValue* storage = make(Kind::Storage);
        storage->tensor = resolve_storage_(*id);
        push(storage);
        return;
      }
      case op::kBinGet:
        push(memo_get(read_byte()));
        return;
      case op::kLongBinGet:
        push(memo_get(read_number<uint32_t>()));
        return;
      case op::kBinPut:
        memo_[read_byte()] = top();
        return;
      case op::kLongBinPut:
        memo_[read_number<uint32_t>()] = top();
        return;
      case op::kMemoize: {
        PickleValue* value = top();
        memo_[static_cast<uint32_t>(memo_.size())] = value;
        return;
      }
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", opcode);
        fail(std::string("unsupported pickle opcode ") + hex +
             " (only the binary opcodes of protocols 2 to 5 used for tensors and containers are supported)");
      }
    }
  }

  PickleValue* memo_get(uint32_t index) {
    const auto found = memo_.find(index);
    if (found == memo_.end()) fail("memo entry " + std::to_string(index) + " is read before it is written");
    return found->second;
  }

  ByteSource& source_;
  const StorageResolver& resolve_storage_;
  Unpickled result_;
  std::vector<PickleValue*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, PickleValue*> memo_;
  std::unordered_map<const PickleValue*, std::unordered_map<std::string, size_t>> dict_keys_;
  uint64_t opcode_position_ = 0;
};

Unpickled unpickle(ByteSource& source, const StorageResolver& resolve_storage) {
  return Unpickler(source, resolve_storage).run();
}

}  // namespace advbn::io
