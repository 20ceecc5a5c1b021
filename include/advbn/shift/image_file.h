#pragma once
// Decoding image files that come from anywhere, with a limit on the pixels a file may declare.
//
// OpenCV allocates the whole image its header declares before it decodes a byte, and accepts up
// to 2^30 pixels: a PNG of a few hundred bytes declaring 32000×32000 pixels makes it allocate
// 3 GB (a decompression bomb). So every image file advbn reads is read once into memory, the size
// declared in its header is compared with a limit, and only then are the same bytes decoded (the
// file cannot change between the check and the decode).
//
// OpenCV 4.6 has no public call that reads a header without decoding the image (its decoders'
// readHeader is internal; cv::ImageCollection came in 4.7), so the headers are parsed here, with
// every read bounds-checked: PNG, JPEG, BMP, the PNM family (PBM, PGM, PPM, PAM, PFM), TIFF
// (classic and BigTIFF) and WebP. Files in other formats OpenCV would decode (JPEG 2000, OpenEXR,
// Radiance HDR, Sun raster, DICOM) are refused, because their size would go unchecked.
#include <opencv2/core/mat.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace advbn::shift {

// PIL's limit (Image.MAX_IMAGE_PIXELS × 2, where it raises DecompressionBombError): every image
// torchvision's ImageFolder reads, advbn reads, and the largest costs about 0.5 GB decoded.
inline constexpr int64_t kDefaultMaxImagePixels = 178'956'970;

struct ImageLimits {
  int64_t max_pixels = kDefaultMaxImagePixels;  // width × height, as the header declares them
};

struct DeclaredSize {
  int64_t width = 0;
  int64_t height = 0;
};

// The size the header at the start of `bytes` declares; std::nullopt when the bytes do not start
// with a complete header of one of the formats above. Reads nothing outside [bytes, bytes + size).
std::optional<DeclaredSize> declared_image_size(const unsigned char* bytes, std::size_t size);

// Reads the file at `path`, checks the size its header declares against `limits`, and decodes it
// with cv::imdecode and `flags` (cv::IMREAD_*). Throws advbn::Error naming the path when the file
// cannot be read, is not in a format above, declares more than limits.max_pixels pixels, or does
// not decode.
cv::Mat decode_image_file(const std::string& path, int flags, const ImageLimits& limits);

}  // namespace advbn::shift
