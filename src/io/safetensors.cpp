#include <advbn/error.h>
#include <advbn/io/input_file.h>
#include <advbn/io/little_endian.h>
#include <advbn/io/output_file.h>
#include <advbn/io/safetensors.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_set>

namespace advbn::io {
namespace {

using Json = nlohmann::ordered_json;  // ordered, so tensors keep the order of the header

// The reference implementation refuses headers above 100 MB; so do we.
constexpr uint64_t kMaxHeaderSize = 100'000'000;
// The header is at most three levels deep: {name: {"shape": [...]}}.
constexpr int kMaxHeaderDepth = 3;
constexpr size_t kMaxDims = 64;
constexpr char kMetadataKey[] = "__metadata__";

struct DtypeCode {
  const char* code;
  at::ScalarType dtype;
};

constexpr DtypeCode kDtypeCodes[] = {
    {"F64", at::ScalarType::Double},    {"F32", at::ScalarType::Float}, {"F16", at::ScalarType::Half},
    {"BF16", at::ScalarType::BFloat16}, {"I64", at::ScalarType::Long},  {"I32", at::ScalarType::Int},
    {"I16", at::ScalarType::Short},     {"I8", at::ScalarType::Char},   {"U8", at::ScalarType::Byte},
    {"BOOL", at::ScalarType::Bool},
};

struct TensorEntry {
  std::string name;
  at::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

struct Header {
  std::vector<TensorEntry> tensors;
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error("safetensors file '" + path + "': " + what);
}

uint64_t unsigned_number(const Json& value, const std::string& path, const std::string& what) {
  if (!value.is_number_unsigned()) {
    fail(path, what + " must be a non-negative integer");
  }
  return value.get<uint64_t>();
}

TensorEntry parse_tensor(const std::string& name, const Json& info, const std::string& path) {
  const std::string where = "tensor '" + name + "'";
  if (!info.is_object()) fail(path, where + " is not described by an object");
  const auto dtype = info.find("dtype");
  const auto shape = info.find("shape");
  const auto offsets = info.find("data_offsets");
  if (dtype == info.end() || !dtype->is_string() || shape == info.end() || !shape->is_array() ||
      offsets == info.end() || !offsets->is_array() || offsets->size() != 2) {
    fail(path, where + " needs \"dtype\" (a string), \"shape\" (an array) and \"data_offsets\" ([begin, end])");
  }
  TensorEntry entry{name, at::ScalarType::Undefined, {}, 0, 0};
  const std::string code = dtype->get<std::string>();
  for (const DtypeCode& known : kDtypeCodes) {
    if (code == known.code) entry.dtype = known.dtype;
  }
  if (entry.dtype == at::ScalarType::Undefined) {
    fail(path, where + " has unsupported dtype '" + code + "' (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
  }
  if (shape->size() > kMaxDims) fail(path, where + " has more than " + std::to_string(kMaxDims) + " dimensions");
  unsigned __int128 nbytes = static_cast<unsigned __int128>(c10::elementSize(entry.dtype));
  for (const Json& size : *shape) {
    const uint64_t dim = unsigned_number(size, path, where + "'s shape entries");
    if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail(path, where + " has an impossible shape");
    }
    nbytes *= dim;
    // Saturate: anything past 2^64 is out of range anyway, and this keeps the product exact.
    nbytes =
        std::min<unsigned __int128>(nbytes, static_cast<unsigned __int128>(std::numeric_limits<uint64_t>::max()) + 1);
    entry.shape.push_back(static_cast<int64_t>(dim));
  }
  entry.begin = unsigned_number((*offsets)[0], path, where + "'s data_offsets");
  entry.end = unsigned_number((*offsets)[1], path, where + "'s data_offsets");
  if (entry.end < entry.begin || entry.end - entry.begin != nbytes) {
    fail(path, where + " has data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                   "] that do not match its shape and dtype");
  }
  return entry;
}

Header read_header(InputFile& file) {
  const std::string& path = file.name();
  if (file.size() < 8) fail(path, "too short for a header (" + std::to_string(file.size()) + " bytes)");
  uint8_t length_bytes[8];
  file.read(length_bytes, sizeof length_bytes);
  const auto header_size = load_little_endian<uint64_t>(length_bytes);
  if (header_size > kMaxHeaderSize) {
    fail(path, "header length " + std::to_string(header_size) + " exceeds the limit of " +
                   std::to_string(kMaxHeaderSize) + " bytes");
  }
  if (header_size > file.size() - 8) {
    fail(path, "header length " + std::to_string(header_size) + " exceeds the file size (" +
                   std::to_string(file.size()) + " bytes)");
  }
  std::string text(header_size, '\0');
  file.read(text.data(), text.size());

  Json json;
  try {
    json = Json::parse(text, [&](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxHeaderDepth) fail(path, "header nests deeper than a safetensors header can");
      return true;
    });
  } catch (const Json::exception& error) {
    fail(path, std::string("header is not valid JSON: ") + error.what());
  }
  if (!json.is_object()) fail(path, "header is not a JSON object");

  Header header;
  header.data_start = 8 + header_size;
  const uint64_t data_size = file.size() - header.data_start;
  for (const auto& [name, info] : json.items()) {
    if (name == kMetadataKey) {
      if (!info.is_object()) fail(path, "__metadata__ is not an object");
      for (const auto& [key, value] : info.items()) {
        if (!value.is_string()) fail(path, "__metadata__ entry '" + key + "' is not a string");
        header.metadata.emplace(key, value.get<std::string>());
      }
      continue;
    }
    TensorEntry entry = parse_tensor(name, info, path);
    if (entry.end > data_size) {
      fail(path, "tensor '" + name + "' ends at byte " + std::to_string(entry.end) + " of a data section of " +
                     std::to_string(data_size) + " bytes (truncated file or corrupt header)");
    }
    header.tensors.push_back(std::move(entry));
  }

  std::vector<const TensorEntry*> by_offset;
  for (const TensorEntry& entry : header.tensors) by_offset.push_back(&entry);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return a->begin < b->begin || (a->begin == b->begin && a->end < b->end);
  });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    if (by_offset[i]->begin < by_offset[i - 1]->end) {
      fail(path, "tensors '" + by_offset[i - 1]->name + "' and '" + by_offset[i]->name + "' overlap");
    }
  }
  return header;
}

const char* dtype_code(at::ScalarType dtype, const std::string& path, const std::string& name) {
  for (const DtypeCode& known : kDtypeCodes) {
    if (known.dtype == dtype) return known.code;
  }
  throw Error("cannot write safetensors file '" + path + "': tensor '" + name + "' has unsupported dtype " +
              std::string(c10::toString(dtype)));
}

}  // namespace

StateDict read_safetensors(const std::string& path) {
  InputFile file(path);
  const Header header = read_header(file);
  StateDict tensors;
  tensors.reserve(header.tensors.size());
  for (const TensorEntry& entry : header.tensors) {
    at::Tensor tensor = at::empty(entry.shape, at::TensorOptions().dtype(entry.dtype));
    file.seek(header.data_start + entry.begin);
    file.read(tensor.data_ptr(), entry.end - entry.begin);
    tensors.emplace_back(entry.name, std::move(tensor));
  }
  return tensors;
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
  InputFile file(path);
  return read_header(file).metadata;
}

void write_safetensors(const std::string& path, const StateDict& tensors,
                       const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::vector<at::Tensor> contiguous;
  contiguous.reserve(tensors.size());
  std::unordered_set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey)
      throw Error("cannot write safetensors file '" + path + "': '__metadata__' is a reserved name");
    if (!names.insert(name).second)
      throw Error("cannot write safetensors file '" + path + "': tensor '" + name + "' appears twice");
    if (!tensor.defined())
      throw Error("cannot write safetensors file '" + path + "': tensor '" + name + "' is undefined");
    const char* code = dtype_code(tensor.scalar_type(), path, name);
    contiguous.push_back(tensor.detach().to(at::kCPU).contiguous());
    const uint64_t nbytes = contiguous.back().nbytes();
    header[name] = {{"dtype", code}, {"shape", tensor.sizes().vec()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& error) {
    throw Error("cannot write safetensors file '" + path + "': " + error.what() + " (names must be valid UTF-8)");
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned

  OutputFile out(path);
  uint8_t length_bytes[8];
  store_little_endian<uint64_t>(length_bytes, text.size());
  out.write(length_bytes, sizeof length_bytes);
  out.write(text.data(), text.size());
  for (const at::Tensor& tensor : contiguous) out.write(tensor.data_ptr(), tensor.nbytes());
  out.commit();
}

}  // namespace advbn::io
