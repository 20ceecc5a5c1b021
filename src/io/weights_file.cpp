#include <advbn/error.h>
#include <advbn/io/data_parallel_prefix.h>
#include <advbn/io/input_file.h>
#include <advbn/io/safetensors.h>
#include <advbn/io/torch_checkpoint.h>
#include <advbn/io/weights_file.h>
#include <advbn/io/zip_archive.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace advbn::io {
namespace {

enum class Format { TorchCheckpoint, Safetensors, Unknown };

Format detect(const std::string& path) {
  InputFile file(path);
  uint8_t head[9] = {};
  const size_t count = static_cast<size_t>(std::min<uint64_t>(file.size(), sizeof head));
  file.read(head, count);
  // Safetensors: an 8-byte length, then a JSON object. A length whose low byte is 0x80 makes the
  // file start like a legacy checkpoint's pickle (PROTO opcode); the length fitting the file
  // tells them apart there.
  if (count == sizeof head && head[8] == '{') {
    uint64_t header_length = 0;
    for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | head[i];
    if (head[0] != 0x80 || header_length <= file.size() - 8) return Format::Safetensors;
  }
  // Legacy checkpoints start with the PROTO opcode of their first pickle.
  if (starts_like_zip(head, count) || (count >= 1 && head[0] == 0x80)) return Format::TorchCheckpoint;
  return Format::Unknown;
}

std::string lowercase_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

}  // namespace

StateDict load_weights(const std::string& path) {
  switch (detect(path)) {
    case Format::TorchCheckpoint:
      return read_torch_checkpoint(path);
    case Format::Safetensors:
      return strip_data_parallel_prefix(read_safetensors(path), path);
    case Format::Unknown:
      break;
  }
  throw Error("'" + path + "' is not a recognised weight file (expected a PyTorch checkpoint or a safetensors file)");
}

void save_weights(const std::string& path, const StateDict& weights) {
  const std::string extension = lowercase_extension(path);
  if (extension == ".safetensors") {
    write_safetensors(path, weights);
  } else if (extension == ".pth" || extension == ".pt" || extension == ".bin") {
    write_torch_checkpoint(path, weights);
  } else {
    throw Error("cannot save weights to '" + path + "': unknown extension '" + extension +
                "' (use .safetensors, .pth, .pt or .bin)");
  }
}

}  // namespace advbn::io
