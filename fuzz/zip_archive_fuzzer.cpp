// The zip reader on arbitrary files: opening validates the directory and local headers, then
// every entry is decompressed and CRC-checked. Entries declaring more than the cap are skipped
// (callers guard sizes the same way), which keeps deflate bombs from exhausting the fuzzer's
// memory while still exercising their headers.
#include <advbn/error.h>
#include <advbn/io/zip_archive.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scratch_dir.h"

namespace {

constexpr uint64_t kMaxEntrySize = uint64_t{1} << 22;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const advbn::fuzz::ScratchDir scratch;
  const std::string path = scratch.write("input.zip", data, size);
  try {
    advbn::io::ZipReader archive(path);
    for (const auto& entry : archive.entries()) {
      if (archive.find(entry.name) == nullptr) __builtin_trap();
      if (entry.size > kMaxEntrySize) continue;
      std::vector<uint8_t> bytes(entry.size);
      archive.read_into(entry, bytes.data());
    }
  } catch (const advbn::Error&) {
  }
  return 0;
}
