#pragma once
// Reads the object inside a legacy PyTorch checkpoint (torch.save before PyTorch 1.6, or with
// _use_new_zipfile_serialization=False): a sequence of pickles (magic number, protocol
// version, system info, the object, the list of storage keys) followed, for each key in that
// list, by an int64 element count and the storage's raw little-endian bytes.
#include <advbn/io/pickle_reader.h>

#include <string>

namespace advbn::io {

Unpickled read_legacy_checkpoint(const std::string& path);

}  // namespace advbn::io
