#include <advbn/error.h>
#include <advbn/io/little_endian.h>
#include <advbn/io/zip_archive.h>
#include <zlib.h>

#include <algorithm>
#include <limits>

namespace advbn::io {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndOfDirectorySignature = 0x06054b50;
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kEndOfDirectorySize = 22;
constexpr uint64_t kMaxCommentSize = 0xffff;
constexpr uint16_t kStored = 0;
constexpr uint16_t kDeflated = 8;
constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kFlagDataDescriptor = 0x0008;
constexpr uint16_t kFlagUtf8Names = 0x0800;
// Deflate cannot compress better than about 1032:1; a larger declared size is a lie (a zip
// bomb or corruption), caught before anything is allocated.
constexpr uint64_t kMaxDeflateRatio = 1032;
// PyTorch aligns tensor data to 64 bytes so that it could be memory-mapped; the padding goes
// into an extra field with PyTorch's "FB" tag.
constexpr uint64_t kDataAlignment = 64;
constexpr uint16_t kAlignmentExtraTag = 0x4246;  // "FB"
// MS-DOS date of 1980-01-01: a fixed timestamp keeps archives byte-reproducible.
constexpr uint16_t kFixedDosDate = 0x0021;
constexpr uint32_t kZip64Marker32 = 0xffffffff;
constexpr uint16_t kZip64Marker16 = 0xffff;

std::string describe(const std::string& path, const std::string& entry) {
  return "zip archive '" + path + "', entry '" + entry + "'";
}

uint32_t crc32_of(const void* data, uint64_t size) {
  return static_cast<uint32_t>(
      crc32_z(crc32_z(0, nullptr, 0), static_cast<const Bytef*>(data), static_cast<z_size_t>(size)));
}

}  // namespace

bool starts_like_zip(const uint8_t* head, size_t size) {
  return size >= 4 && (load_little_endian<uint32_t>(head) == kLocalHeaderSignature ||
                       load_little_endian<uint32_t>(head) == kEndOfDirectorySignature);
}

ZipReader::ZipReader(const std::string& path) : file_(path) { read_central_directory(); }

void ZipReader::read_central_directory() {
  const std::string& path = file_.name();
  const uint64_t file_size = file_.size();
  if (file_size < kEndOfDirectorySize) {
    throw Error("'" + path + "' is not a zip archive: too short (" + std::to_string(file_size) + " bytes)");
  }
  // The end-of-directory record sits in the last 22 + comment bytes of the file.
  const uint64_t tail_size = std::min(file_size, kEndOfDirectorySize + kMaxCommentSize);
  std::vector<uint8_t> tail(tail_size);
  file_.seek(file_size - tail_size);
  file_.read(tail.data(), tail.size());
  uint64_t end_record = tail_size;
  for (uint64_t i = tail_size - kEndOfDirectorySize + 1; i-- > 0;) {
    if (load_little_endian<uint32_t>(&tail[i]) == kEndOfDirectorySignature &&
        i + kEndOfDirectorySize + load_little_endian<uint16_t>(&tail[i + 20]) <= tail_size) {
      end_record = i;
      break;
    }
  }
  if (end_record == tail_size) {
    throw Error("'" + path +
                "' is not a valid zip archive: no end-of-central-directory record "
                "(the file is truncated or not a zip)");
  }
  const uint8_t* record = &tail[end_record];
  const uint64_t record_offset = file_size - tail_size + end_record;
  const uint16_t disk = load_little_endian<uint16_t>(record + 4);
  const uint16_t directory_disk = load_little_endian<uint16_t>(record + 6);
  const uint16_t entries_on_disk = load_little_endian<uint16_t>(record + 8);
  const uint16_t entry_count = load_little_endian<uint16_t>(record + 10);
  const uint32_t directory_size = load_little_endian<uint32_t>(record + 12);
  const uint32_t directory_offset = load_little_endian<uint32_t>(record + 16);
  if (entry_count == kZip64Marker16 || directory_size == kZip64Marker32 || directory_offset == kZip64Marker32) {
    throw Error("zip archive '" + path +
                "' needs zip64 (more than 65535 entries or 4 GiB), "
                "which is not supported");
  }
  if (disk != 0 || directory_disk != 0 || entries_on_disk != entry_count) {
    throw Error("zip archive '" + path + "' spans several disks, which is not supported");
  }
  if (uint64_t{directory_offset} + directory_size > record_offset) {
    throw Error("zip archive '" + path + "' is corrupt: its central directory (offset " +
                std::to_string(directory_offset) + ", " + std::to_string(directory_size) +
                " bytes) lies outside the file");
  }
  if (uint64_t{entry_count} * kCentralHeaderSize > directory_size) {
    throw Error("zip archive '" + path + "' is corrupt: " + std::to_string(entry_count) +
                " entries cannot fit in a central directory of " + std::to_string(directory_size) + " bytes");
  }

  std::vector<uint8_t> directory(directory_size);
  file_.seek(directory_offset);
  file_.read(directory.data(), directory.size());
  entries_.reserve(entry_count);
  uint64_t cursor = 0;
  for (uint16_t i = 0; i < entry_count; ++i) {
    if (cursor + kCentralHeaderSize > directory.size() ||
        load_little_endian<uint32_t>(&directory[cursor]) != kCentralHeaderSignature) {
      throw Error("zip archive '" + path + "' is corrupt: central directory entry " + std::to_string(i) +
                  " is missing or malformed");
    }
    const uint8_t* header = &directory[cursor];
    const uint16_t flags = load_little_endian<uint16_t>(header + 8);
    ZipEntry entry;
    entry.method = load_little_endian<uint16_t>(header + 10);
    entry.crc32 = load_little_endian<uint32_t>(header + 16);
    const uint32_t compressed_size = load_little_endian<uint32_t>(header + 20);
    const uint32_t size = load_little_endian<uint32_t>(header + 24);
    const uint16_t name_length = load_little_endian<uint16_t>(header + 28);
    const uint16_t extra_length = load_little_endian<uint16_t>(header + 30);
    const uint16_t comment_length = load_little_endian<uint16_t>(header + 32);
    const uint32_t local_header_offset = load_little_endian<uint32_t>(header + 42);
    const uint64_t next = cursor + kCentralHeaderSize + name_length + extra_length + comment_length;
    if (next > directory.size()) {
      throw Error("zip archive '" + path + "' is corrupt: central directory entry " + std::to_string(i) +
                  " runs past the end of the directory");
    }
    entry.name.assign(reinterpret_cast<const char*>(header + kCentralHeaderSize), name_length);
    entry.compressed_size = compressed_size;
    entry.size = size;
    if (compressed_size == kZip64Marker32 || size == kZip64Marker32 || local_header_offset == kZip64Marker32) {
      throw Error(describe(path, entry.name) + " needs zip64 (over 4 GiB), which is not supported");
    }
    if (flags & kFlagEncrypted) throw Error(describe(path, entry.name) + " is encrypted");
    if (entry.method != kStored && entry.method != kDeflated) {
      throw Error(describe(path, entry.name) + " uses compression method " + std::to_string(entry.method) +
                  "; only stored and deflated entries are supported");
    }
    if (entry.method == kStored && entry.compressed_size != entry.size) {
      throw Error(describe(path, entry.name) + " is corrupt: stored entry declares " + std::to_string(entry.size) +
                  " bytes but occupies " + std::to_string(entry.compressed_size));
    }
    if (entry.method == kDeflated && entry.size > entry.compressed_size * kMaxDeflateRatio + 1024) {
      throw Error(describe(path, entry.name) + " declares an impossible size: " + std::to_string(entry.size) +
                  " bytes from " + std::to_string(entry.compressed_size) +
                  " compressed bytes (corrupt file or zip bomb)");
    }
    if (!index_.emplace(entry.name, entries_.size()).second) {
      throw Error(describe(path, entry.name) + " appears twice");
    }
    locate_data(entry, local_header_offset, directory_offset);
    entries_.push_back(std::move(entry));
    cursor = next;
  }
}

void ZipReader::locate_data(ZipEntry& entry, uint64_t local_header_offset, uint64_t directory_offset) {
  const std::string& path = file_.name();
  if (local_header_offset + kLocalHeaderSize + entry.name.size() > directory_offset) {
    throw Error(describe(path, entry.name) + " is corrupt: its local header at offset " +
                std::to_string(local_header_offset) + " lies outside the data area");
  }
  uint8_t header[kLocalHeaderSize];
  file_.seek(local_header_offset);
  file_.read(header, sizeof header);
  std::string local_name(entry.name.size(), '\0');
  file_.read(local_name.data(), local_name.size());
  if (load_little_endian<uint32_t>(header) != kLocalHeaderSignature || local_name != entry.name) {
    throw Error(describe(path, entry.name) + " is corrupt: no matching local header at offset " +
                std::to_string(local_header_offset));
  }
  const uint16_t flags = load_little_endian<uint16_t>(header + 6);
  const uint16_t name_length = load_little_endian<uint16_t>(header + 26);
  const uint16_t extra_length = load_little_endian<uint16_t>(header + 28);
  if (name_length != entry.name.size() || load_little_endian<uint16_t>(header + 8) != entry.method) {
    throw Error(describe(path, entry.name) +
                " is corrupt: local header and central directory disagree on its name or compression method");
  }
  // Without a data descriptor the local header repeats CRC and sizes; a disagreement means
  // the archive was tampered with or damaged.
  if (!(flags & kFlagDataDescriptor)) {
    const uint32_t local_compressed = load_little_endian<uint32_t>(header + 18);
    const uint32_t local_size = load_little_endian<uint32_t>(header + 22);
    if (local_compressed != entry.compressed_size || local_size != entry.size ||
        load_little_endian<uint32_t>(header + 14) != entry.crc32) {
      throw Error(describe(path, entry.name) + " is corrupt: its local header declares " + std::to_string(local_size) +
                  " bytes (" + std::to_string(local_compressed) + " compressed) but the central directory says " +
                  std::to_string(entry.size) + " (" + std::to_string(entry.compressed_size) + ")");
    }
  }
  entry.data_offset = local_header_offset + kLocalHeaderSize + name_length + extra_length;
  if (entry.data_offset + entry.compressed_size > directory_offset) {
    throw Error(describe(path, entry.name) + " is out of bounds: its " + std::to_string(entry.compressed_size) +
                " bytes at offset " + std::to_string(entry.data_offset) + " run past the data area (" +
                std::to_string(directory_offset) + " bytes)");
  }
}

const ZipEntry* ZipReader::find(const std::string& name) const {
  const auto found = index_.find(name);
  return found == index_.end() ? nullptr : &entries_[found->second];
}

std::vector<uint8_t> ZipReader::read(const ZipEntry& entry, uint64_t max_size) {
  if (entry.size > max_size) {
    throw Error(describe(path(), entry.name) + " is too large: " + std::to_string(entry.size) + " bytes (at most " +
                std::to_string(max_size) + " expected)");
  }
  std::vector<uint8_t> data(entry.size);
  read_into(entry, data.data());
  return data;
}

void ZipReader::read_into(const ZipEntry& entry, void* destination) {
  file_.seek(entry.data_offset);
  if (entry.method == kStored) {
    file_.read(destination, entry.size);
  } else {
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
      throw Error(describe(path(), entry.name) + ": cannot initialise zlib");
    }
    std::vector<uint8_t> chunk(std::min<uint64_t>(entry.compressed_size, uint64_t{1} << 16));
    uint64_t compressed_left = entry.compressed_size;
    uint64_t produced = 0;
    int status = Z_OK;
    auto* output = static_cast<uint8_t*>(destination);
    while (status != Z_STREAM_END) {
      if (stream.avail_in == 0) {
        if (compressed_left == 0) break;
        const size_t count = static_cast<size_t>(std::min<uint64_t>(chunk.size(), compressed_left));
        try {
          file_.read(chunk.data(), count);
        } catch (...) {
          inflateEnd(&stream);
          throw;
        }
        compressed_left -= count;
        stream.next_in = chunk.data();
        stream.avail_in = static_cast<uInt>(count);
      }
      const uint64_t room = entry.size - produced;
      // zlib refuses a null output pointer even when there is nothing to write (empty tensors).
      uint8_t unused_output = 0;
      stream.next_out = output != nullptr ? output + produced : &unused_output;
      stream.avail_out = static_cast<uInt>(std::min<uint64_t>(room, std::numeric_limits<uInt>::max()));
      const uInt room_before = stream.avail_out;
      status = inflate(&stream, Z_NO_FLUSH);
      produced += room_before - stream.avail_out;
      if (status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && room == 0)) {
        inflateEnd(&stream);
        throw Error(describe(path(), entry.name) + " has corrupt deflate data (" +
                    (stream.msg ? stream.msg : "zlib error " + std::to_string(status)) + ")");
      }
      if (status == Z_BUF_ERROR && room == 0) {
        inflateEnd(&stream);
        throw Error(describe(path(), entry.name) + " inflates to more than its declared " + std::to_string(entry.size) +
                    " bytes");
      }
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END || produced != entry.size) {
      throw Error(describe(path(), entry.name) + " is corrupt: inflated " + std::to_string(produced) +
                  " bytes instead of the declared " + std::to_string(entry.size));
    }
  }
  if (crc32_of(destination, entry.size) != entry.crc32) {
    throw Error(describe(path(), entry.name) + " is corrupt: CRC-32 mismatch");
  }
}

ZipWriter::ZipWriter(const std::string& path) : out_(path) {}

void ZipWriter::add(const std::string& name, const void* data, uint64_t size) {
  if (name.empty() || name.size() > 0xffff) {
    throw Error("cannot add entry '" + name + "' to zip archive '" + out_.path() +
                "': names must have 1 to 65535 bytes");
  }
  const uint64_t header_offset = out_.position();
  const uint64_t unpadded_start = header_offset + kLocalHeaderSize + name.size() + 4;
  const uint64_t padding = (kDataAlignment - unpadded_start % kDataAlignment) % kDataAlignment;
  if (unpadded_start + padding + size >= kZip64Marker32) {
    throw Error("cannot write zip archive '" + out_.path() + "': entry '" + name +
                "' would end beyond 4 GiB, which needs zip64 (not supported)");
  }
  const uint32_t crc = crc32_of(data, size);

  std::vector<uint8_t> header(kLocalHeaderSize + name.size() + 4 + padding, 'Z');
  store_little_endian<uint32_t>(&header[0], kLocalHeaderSignature);
  store_little_endian<uint16_t>(&header[4], 20);  // version needed: 2.0
  store_little_endian<uint16_t>(&header[6], kFlagUtf8Names);
  store_little_endian<uint16_t>(&header[8], kStored);
  store_little_endian<uint16_t>(&header[10], 0);
  store_little_endian<uint16_t>(&header[12], kFixedDosDate);
  store_little_endian<uint32_t>(&header[14], crc);
  store_little_endian<uint32_t>(&header[18], static_cast<uint32_t>(size));
  store_little_endian<uint32_t>(&header[22], static_cast<uint32_t>(size));
  store_little_endian<uint16_t>(&header[26], static_cast<uint16_t>(name.size()));
  store_little_endian<uint16_t>(&header[28], static_cast<uint16_t>(4 + padding));
  std::copy(name.begin(), name.end(), header.begin() + kLocalHeaderSize);
  uint8_t* extra = &header[kLocalHeaderSize + name.size()];
  store_little_endian<uint16_t>(extra, kAlignmentExtraTag);
  store_little_endian<uint16_t>(extra + 2, static_cast<uint16_t>(padding));
  out_.write(header.data(), header.size());
  out_.write(data, size);
  written_.push_back({name, crc, static_cast<uint32_t>(size), static_cast<uint32_t>(header_offset)});
}

void ZipWriter::finish() {
  if (written_.size() >= kZip64Marker16) {
    throw Error("cannot write zip archive '" + out_.path() + "': " + std::to_string(written_.size()) +
                " entries need zip64 (not supported)");
  }
  const uint64_t directory_offset = out_.position();
  for (const Written& entry : written_) {
    std::vector<uint8_t> header(kCentralHeaderSize + entry.name.size(), 0);
    store_little_endian<uint32_t>(&header[0], kCentralHeaderSignature);
    store_little_endian<uint16_t>(&header[4], 20);  // made by: MS-DOS, version 2.0
    store_little_endian<uint16_t>(&header[6], 20);  // needed: 2.0
    store_little_endian<uint16_t>(&header[8], kFlagUtf8Names);
    store_little_endian<uint16_t>(&header[10], kStored);
    store_little_endian<uint16_t>(&header[14], kFixedDosDate);
    store_little_endian<uint32_t>(&header[16], entry.crc32);
    store_little_endian<uint32_t>(&header[20], entry.size);
    store_little_endian<uint32_t>(&header[24], entry.size);
    store_little_endian<uint16_t>(&header[28], static_cast<uint16_t>(entry.name.size()));
    store_little_endian<uint32_t>(&header[42], entry.local_header_offset);
    std::copy(entry.name.begin(), entry.name.end(), header.begin() + kCentralHeaderSize);
    out_.write(header.data(), header.size());
  }
  const uint64_t directory_size = out_.position() - directory_offset;
  if (out_.position() >= kZip64Marker32) {
    throw Error("cannot write zip archive '" + out_.path() +
                "': its central directory would end beyond 4 GiB, which needs zip64 (not supported)");
  }
  uint8_t record[kEndOfDirectorySize] = {};
  store_little_endian<uint32_t>(record, kEndOfDirectorySignature);
  store_little_endian<uint16_t>(record + 8, static_cast<uint16_t>(written_.size()));
  store_little_endian<uint16_t>(record + 10, static_cast<uint16_t>(written_.size()));
  store_little_endian<uint32_t>(record + 12, static_cast<uint32_t>(directory_size));
  store_little_endian<uint32_t>(record + 16, static_cast<uint32_t>(directory_offset));
  out_.write(record, sizeof record);
  out_.commit();
}

}  // namespace advbn::io
