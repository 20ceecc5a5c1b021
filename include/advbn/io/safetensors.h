#pragma once
// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length, a JSON header mapping each tensor name to its dtype, shape and byte range,
// an optional "__metadata__" map of strings, then the raw little-endian tensor bytes.
// Supported dtypes: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL.
#include <advbn/io/state_dict.h>

#include <map>
#include <string>

namespace advbn::io {

// Tensors in header order. Throws advbn::Error naming the file for an oversized or malformed
// header, an unsupported dtype, or byte ranges that are out of bounds, overlap, or do not
// match their tensor's shape and dtype.
StateDict read_safetensors(const std::string& path);

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path);

// Writes tensors (made contiguous, on the CPU) in the given order, with compact JSON padded by
// spaces so the data starts at a multiple of 8 bytes. Reading a file this wrote and writing it
// again reproduces it byte for byte.
void write_safetensors(const std::string& path, const StateDict& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace advbn::io
