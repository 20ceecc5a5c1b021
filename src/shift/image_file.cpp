#include "advbn/shift/image_file.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "advbn/error.h"

namespace advbn::shift {

namespace {

// Bounds-checked reads of a byte range; every accessor answers "not there" instead of reading past
// the end, so a truncated or hostile header can only make the parser give up.
class Bytes {
 public:
  Bytes(const unsigned char* data, std::size_t size) : data_(data), size_(size) {}
  std::size_t size() const { return size_; }
  bool has(std::size_t offset, std::size_t count) const {
    return offset <= size_ && count <= size_ - offset;
  }
  bool starts_with(std::size_t offset, std::string_view text) const {
    return has(offset, text.size()) && std::memcmp(data_ + offset, text.data(), text.size()) == 0;
  }
  unsigned char at(std::size_t offset) const { return data_[offset]; }  // callers check has()
  // Unsigned integer of `count` bytes (at most 8) at `offset`, big- or little-endian.
  std::optional<uint64_t> uint(std::size_t offset, std::size_t count, bool big_endian) const {
    if (!has(offset, count)) return std::nullopt;
    uint64_t value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const uint64_t byte = data_[offset + (big_endian ? i : count - 1 - i)];
      value = (value << 8) | byte;
    }
    return value;
  }

 private:
  const unsigned char* data_;
  std::size_t size_;
};

using Size = std::optional<DeclaredSize>;

Size make_size(uint64_t width, uint64_t height) {
  // Values beyond 2^40 only ever mean "far above any limit"; capping them keeps the product and
  // the message within int64.
  constexpr uint64_t kCap = uint64_t{1} << 40;
  return DeclaredSize{static_cast<int64_t>(std::min(width, kCap)),
                      static_cast<int64_t>(std::min(height, kCap))};
}

// PNG: the signature, then IHDR, which libpng requires to be the first chunk.
Size png_size(const Bytes& b) {
  if (!b.starts_with(12, "IHDR")) return std::nullopt;
  const auto width = b.uint(16, 4, true);
  const auto height = b.uint(20, 4, true);
  if (!width || !height) return std::nullopt;
  return make_size(*width, *height);
}

// JPEG: walks the marker segments up to the first frame header (SOF0–SOF15 but DHT, JPG, DAC).
// Anything libjpeg would skip with a warning (bytes between segments) ends the walk: refused.
Size jpeg_size(const Bytes& b) {
  std::size_t pos = 2;
  while (b.has(pos, 1)) {
    if (b.at(pos) != 0xFF) return std::nullopt;
    while (b.has(pos, 1) && b.at(pos) == 0xFF) ++pos;  // fill bytes
    if (!b.has(pos, 1)) return std::nullopt;
    const unsigned marker = b.at(pos++);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length field
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // image or scan before a frame
    const auto length = b.uint(pos, 2, true);
    if (!length || *length < 2) return std::nullopt;
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                       marker != 0xCC;
    if (frame) {
      const auto height = b.uint(pos + 3, 2, true);
      const auto width = b.uint(pos + 5, 2, true);
      if (!width || !height) return std::nullopt;
      return make_size(*width, *height);
    }
    pos += *length;
  }
  return std::nullopt;
}

// BMP: OS/2 headers (12 bytes) hold 16-bit sizes, every later one signed 32-bit sizes, where a
// negative height means top-down rows.
Size bmp_size(const Bytes& b) {
  const auto header = b.uint(14, 4, false);
  if (!header) return std::nullopt;
  if (*header == 12) {
    const auto width = b.uint(18, 2, false);
    const auto height = b.uint(20, 2, false);
    if (!width || !height) return std::nullopt;
    return make_size(*width, *height);
  }
  if (*header < 16) return std::nullopt;
  const auto width = b.uint(18, 4, false);
  const auto height = b.uint(22, 4, false);
  if (!width || !height) return std::nullopt;
  const auto magnitude = [](uint64_t raw) {
    const auto value = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(raw)));
    return static_cast<uint64_t>(value < 0 ? -value : value);
  };
  return make_size(magnitude(*width), magnitude(*height));
}

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Text headers of the PNM family: whitespace, '#' comments to the end of the line, then tokens.
class TextHeader {
 public:
  TextHeader(const Bytes& b, std::size_t pos) : b_(b), pos_(pos) {}

  void skip_space_and_comments() {
    while (b_.has(pos_, 1)) {
      if (is_space(b_.at(pos_))) {
        ++pos_;
      } else if (b_.at(pos_) == '#') {
        while (b_.has(pos_, 1) && b_.at(pos_) != '\n' && b_.at(pos_) != '\r') ++pos_;
      } else {
        return;
      }
    }
  }
  // A decimal number; values past 2^40 saturate (see make_size). A number that runs to the end
  // of the bytes may be cut short, so it counts as missing.
  std::optional<uint64_t> number() {
    skip_space_and_comments();
    std::size_t digits = 0;
    uint64_t value = 0;
    while (b_.has(pos_, 1) && b_.at(pos_) >= '0' && b_.at(pos_) <= '9') {
      value = std::min<uint64_t>(value * 10 + (b_.at(pos_) - '0'), uint64_t{1} << 41);
      ++pos_;
      ++digits;
    }
    if (digits == 0 || !b_.has(pos_, 1)) return std::nullopt;
    return value;
  }
  std::string token() {
    skip_space_and_comments();
    std::string text;
    while (b_.has(pos_, 1) && !is_space(b_.at(pos_)) && text.size() < 16) {
      text.push_back(static_cast<char>(std::toupper(b_.at(pos_))));
      ++pos_;
    }
    return text;
  }

 private:
  const Bytes& b_;
  std::size_t pos_;
};

// PBM, PGM, PPM (P1–P6) and PFM (PF, Pf): width and height are the first two numbers.
Size pnm_size(const Bytes& b) {
  TextHeader header(b, 2);
  const auto width = header.number();
  const auto height = header.number();
  if (!width || !height) return std::nullopt;
  return make_size(*width, *height);
}

// PAM (P7): "WIDTH n" and "HEIGHT n" lines before ENDHDR. A repeated field counts at its largest,
// so no reading of it can find a larger image than the one checked.
Size pam_size(const Bytes& b) {
  TextHeader header(b, 2);
  std::optional<uint64_t> width, height;
  while (true) {
    const std::string field = header.token();
    if (field.empty()) return std::nullopt;  // the header ended before ENDHDR
    if (field == "ENDHDR") break;
    if (field != "WIDTH" && field != "HEIGHT") continue;
    const auto value = header.number();
    if (!value) return std::nullopt;
    auto& slot = field == "WIDTH" ? width : height;
    slot = std::max(slot.value_or(0), *value);
  }
  if (!width || !height) return std::nullopt;
  return make_size(*width, *height);
}

// TIFF: ImageWidth (256) and ImageLength (257) of the first directory, the image imread decodes.
Size tiff_size(const Bytes& b) {
  const bool big_endian = b.at(0) == 'M';
  const auto version = b.uint(2, 2, big_endian);
  if (!version || (*version != 42 && *version != 43)) return std::nullopt;
  const bool big_tiff = *version == 43;
  const std::size_t offset_bytes = big_tiff ? 8 : 4;
  const std::size_t count_bytes = big_tiff ? 8 : 2;
  const std::size_t entry_bytes = big_tiff ? 20 : 12;
  const auto directory = b.uint(big_tiff ? 8 : 4, offset_bytes, big_endian);
  if (!directory || *directory > b.size()) return std::nullopt;
  const auto entries = b.uint(*directory, count_bytes, big_endian);
  if (!entries) return std::nullopt;
  const std::size_t first = *directory + count_bytes;
  if (*entries > (b.size() - std::min<std::size_t>(first, b.size())) / entry_bytes) return std::nullopt;
  std::optional<uint64_t> width, height;
  for (uint64_t i = 0; i < *entries; ++i) {
    const std::size_t entry = first + static_cast<std::size_t>(i) * entry_bytes;
    const auto tag = b.uint(entry, 2, big_endian);
    const auto type = b.uint(entry + 2, 2, big_endian);
    if (!tag || !type || (*tag != 256 && *tag != 257)) continue;
    // The value sits left-justified in the entry's value field, in the file's byte order.
    const std::size_t value_at = entry + 4 + offset_bytes;
    std::optional<uint64_t> value;
    if (*type == 3) value = b.uint(value_at, 2, big_endian);       // SHORT
    if (*type == 4) value = b.uint(value_at, 4, big_endian);       // LONG
    if (*type == 16 && big_tiff) value = b.uint(value_at, 8, big_endian);  // LONG8
    if (!value) return std::nullopt;
    auto& slot = *tag == 256 ? width : height;
    slot = std::max(slot.value_or(0), *value);
  }
  if (!width || !height) return std::nullopt;
  return make_size(*width, *height);
}

// WebP: the first chunk is lossy (VP8), lossless (VP8L) or extended (VP8X, the canvas size).
Size webp_size(const Bytes& b) {
  if (b.starts_with(12, "VP8 ")) {
    if (!b.has(23, 3) || b.at(23) != 0x9D || b.at(24) != 0x01 || b.at(25) != 0x2A) return std::nullopt;
    const auto width = b.uint(26, 2, false);
    const auto height = b.uint(28, 2, false);
    if (!width || !height) return std::nullopt;
    return make_size(*width & 0x3FFF, *height & 0x3FFF);
  }
  if (b.starts_with(12, "VP8L")) {
    if (!b.has(20, 1) || b.at(20) != 0x2F) return std::nullopt;
    const auto bits = b.uint(21, 4, false);
    if (!bits) return std::nullopt;
    return make_size((*bits & 0x3FFF) + 1, ((*bits >> 14) & 0x3FFF) + 1);
  }
  if (b.starts_with(12, "VP8X")) {
    const auto width = b.uint(24, 3, false);
    const auto height = b.uint(27, 3, false);
    if (!width || !height) return std::nullopt;
    return make_size(*width + 1, *height + 1);
  }
  return std::nullopt;
}

std::vector<unsigned char> read_whole_file(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw Error("cannot read image '" + path + "': " +
                (std::filesystem::exists(path, error) ? "not a regular file" : "no such file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open image '" + path + "': " + std::strerror(errno));
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("cannot read image '" + path + "': " + std::strerror(errno));
  return bytes;
}

}  // namespace

std::optional<DeclaredSize> declared_image_size(const unsigned char* bytes, std::size_t size) {
  const Bytes b(bytes, size);
  if (b.starts_with(0, "\x89PNG\r\n\x1a\n")) return png_size(b);
  if (b.starts_with(0, "\xFF\xD8\xFF")) return jpeg_size(b);
  if (b.starts_with(0, "BM")) return bmp_size(b);
  if (b.has(0, 3) && b.at(0) == 'P' && is_space(b.at(2))) {
    const unsigned char kind = b.at(1);
    if ((kind >= '1' && kind <= '6') || kind == 'F' || kind == 'f') return pnm_size(b);
    if (kind == '7') return pam_size(b);
    return std::nullopt;
  }
  if (b.starts_with(0, "II") || b.starts_with(0, "MM")) return tiff_size(b);
  if (b.starts_with(0, "RIFF") && b.starts_with(8, "WEBP")) return webp_size(b);
  return std::nullopt;
}

cv::Mat decode_image_file(const std::string& path, int flags, const ImageLimits& limits) {
  const std::vector<unsigned char> bytes = read_whole_file(path);
  const auto size = declared_image_size(bytes.data(), bytes.size());
  if (!size) {
    throw Error("cannot decode image '" + path +
                "': it is not a complete PNG, JPEG, BMP, PNM (PBM, PGM, PPM, PAM, PFM), TIFF or "
                "WebP file, the formats whose size advbn checks before decoding");
  }
  if (size->width != 0 && size->height > limits.max_pixels / size->width) {
    throw Error("image '" + path + "' declares " + std::to_string(size->width) + "×" +
                std::to_string(size->height) + " pixels, above the limit of " +
                std::to_string(limits.max_pixels) +
                " (a decompression bomb, or a very large image: raise the limit with "
                "--max-image-pixels if the file is trusted)");
  }
  cv::Mat image;
  try {
    image = cv::imdecode(cv::Mat(1, static_cast<int>(std::min<std::size_t>(bytes.size(), INT32_MAX)),
                                 CV_8U, const_cast<unsigned char*>(bytes.data())),
                         flags);
  } catch (const cv::Exception& e) {
    // OpenCV reports most corrupt files by returning nothing, but throws for some headers
    // (impossible dimensions, sizes beyond its own limits).
    throw Error("cannot decode image '" + path + "': " + e.what());
  }
  if (image.empty()) {
    throw Error("cannot decode image '" + path + "': the file is corrupt or truncated");
  }
  return image;
}

}  // namespace advbn::shift
