#pragma once
// A tiny learnable dataset in IDX format: the class of a 28×28 image is the quadrant holding a
// bright square, with noise, so a few epochs visibly lower the loss.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace advbn::test {

inline void write_idx_u32(std::ofstream& out, uint32_t value) {
  const unsigned char bytes[4] = {static_cast<unsigned char>(value >> 24), static_cast<unsigned char>(value >> 16),
                                  static_cast<unsigned char>(value >> 8), static_cast<unsigned char>(value)};
  out.write(reinterpret_cast<const char*>(bytes), 4);
}

// Writes {train,t10k}-{images-idx3,labels-idx1}-ubyte into `dir`; labels in [0, classes).
inline void write_quadrant_idx(const std::filesystem::path& dir, uint32_t train_count,
                               uint32_t test_count, int classes = 4, uint64_t seed = 1,
                               int label_offset = 0) {
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(seed);
  for (const auto& [prefix, count] : {std::pair<std::string, uint32_t>{"train", train_count}, {"t10k", test_count}}) {
    std::ofstream images(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary);
    std::ofstream labels(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
    write_idx_u32(images, 0x803);
    write_idx_u32(images, count);
    write_idx_u32(images, 28);
    write_idx_u32(images, 28);
    write_idx_u32(labels, 0x801);
    write_idx_u32(labels, count);
    for (uint32_t i = 0; i < count; ++i) {
      const int label = static_cast<int>(rng() % classes);
      std::vector<unsigned char> pixels(28 * 28);
      for (auto& p : pixels) p = static_cast<unsigned char>(rng() % 60);
      const int top = (label / 2) * 14 + 3, left = (label % 2) * 14 + 3;
      for (int y = top; y < top + 8; ++y) {
        for (int x = left; x < left + 8; ++x) pixels[y * 28 + x] = 220;
      }
      images.write(reinterpret_cast<const char*>(pixels.data()), pixels.size());
      const unsigned char stored = static_cast<unsigned char>(label + label_offset);
      labels.write(reinterpret_cast<const char*>(&stored), 1);
    }
  }
}

}  // namespace advbn::test
