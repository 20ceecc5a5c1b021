#pragma once
// Reads the object inside a zip-format PyTorch checkpoint (torch.save since PyTorch 1.6):
// `<prefix>/data.pkl` holds the pickled object and `<prefix>/data/<key>` the raw bytes of
// each storage. The prefix is the folder of the archive's first entry, as in PyTorch.
#include <advbn/io/pickle_reader.h>

#include <string>

namespace advbn::io {

Unpickled read_zip_checkpoint(const std::string& path);

}  // namespace advbn::io
