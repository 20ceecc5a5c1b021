#pragma once
// A decompression bomb for tests: a complete, 65-byte PNG whose header declares width × height
// 8-bit RGB pixels (chunk CRCs correct, so decoders accept the header) and whose image data is
// empty. OpenCV would allocate width × height × 3 bytes for it before finding the data missing.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace advbn::test {

inline uint32_t png_crc(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

inline std::string png_chunk(const std::string& type, const std::string& data) {
  const auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  return be32(static_cast<uint32_t>(data.size())) + type + data + be32(png_crc(type + data));
}

inline std::string png_declaring(uint32_t width, uint32_t height) {
  const auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
  const std::string header = be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5);
  // An empty zlib stream: the image data ends before its first row.
  const std::string empty_zlib("\x78\x9c\x03\x00\x00\x00\x00\x01", 8);
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", header) +
         png_chunk("IDAT", empty_zlib) + png_chunk("IEND", "");
}

inline void write_png_declaring(const std::filesystem::path& path, uint32_t width, uint32_t height) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << png_declaring(width, height);
}

}  // namespace advbn::test
