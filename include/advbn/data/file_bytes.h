#pragma once
// Whole-file reads for the in-memory dataset formats (IDX, CIFAR). Files may be gzip-compressed
// (Debian ships Fashion-MNIST as .gz); plain files pass through unchanged. The buffer grows only
// with data actually present, so a header that claims a huge size cannot trigger a huge allocation:
// the formats' parsers compare their headers against the size read here.
#include <cstdint>
#include <string>
#include <vector>

namespace advbn::data {

// Throws advbn::Error naming the path when it cannot be opened or its gzip stream is corrupt
// or truncated.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace advbn::data
