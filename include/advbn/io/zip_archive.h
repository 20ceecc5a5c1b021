#pragma once
// Minimal zip archives as torch.save writes them (since PyTorch 1.6): reading stored and
// deflated entries, writing stored entries whose data starts on a 64-byte boundary (as
// PyTorch does, so tensors can be mapped in place). Archives that need zip64 (an entry or
// offset beyond 4 GiB) are refused; zip64 records next to valid classic ones are ignored,
// because torch writes them even for small files.
#include <advbn/io/input_file.h>
#include <advbn/io/output_file.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace advbn::io {

// Whether a file starting with `head` is a zip archive: a local header or, when the archive
// is empty, the end record.
bool starts_like_zip(const uint8_t* head, size_t size);

struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t data_offset = 0;
};

class ZipReader {
 public:
  // Reads and validates the central directory and every local header; throws advbn::Error
  // naming the file for anything malformed, truncated, encrypted, multi-disk or zip64.
  explicit ZipReader(const std::string& path);

  const std::string& path() const { return file_.name(); }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(const std::string& name) const;

  // The whole entry; `max_size` guards callers that expect a small entry.
  std::vector<uint8_t> read(const ZipEntry& entry, uint64_t max_size);
  // Decompresses the entry into `destination`, which holds exactly entry.size bytes, and
  // checks its CRC-32.
  void read_into(const ZipEntry& entry, void* destination);

 private:
  void read_central_directory();
  void locate_data(ZipEntry& entry, uint64_t local_header_offset, uint64_t directory_offset);

  InputFile file_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, size_t> index_;
};

class ZipWriter {
 public:
  explicit ZipWriter(const std::string& path);
  // Appends a stored entry; its data starts at a multiple of 64 bytes in the file.
  void add(const std::string& name, const void* data, uint64_t size);
  // Writes the central directory and moves the archive into place.
  void finish();

 private:
  struct Written {
    std::string name;
    uint32_t crc32;
    uint32_t size;
    uint32_t local_header_offset;
  };
  OutputFile out_;
  std::vector<Written> written_;
};

}  // namespace advbn::io
