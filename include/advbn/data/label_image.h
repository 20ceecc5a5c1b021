#pragma once
// Reads the label maps of segmentation data sets as the ids they store. Three encodings occur:
// one-channel 8-bit images (Cityscapes' *_labelIds.png, train-id folders), palette PNGs whose
// palette index is the id (GTA5: decoders expand those to colours, so the palette is read back
// from the file and each colour mapped to its first index), and 16-bit multi-channel PNGs whose
// first channel is the id (SYNTHIA's GT/LABELS).
#include <opencv2/core.hpp>

#include <string>

#include "advbn/shift/image_file.h"

namespace advbn::data {

// The stored ids of the label image at `path`: CV_8UC1 or CV_16UC1. Throws advbn::Error naming
// the file when it cannot be read or decoded, exceeds `limits`, or is a palette PNG with a colour
// that its palette lacks.
cv::Mat read_label_image(const std::string& path, const shift::ImageLimits& limits = {});

}  // namespace advbn::data
