#pragma once
// A procedurally drawn, natural-looking scene (sky gradient, sun, hills, a house, trees, textured
// grass) for tests, benchmarks and contact sheets that must not depend on bundled photographs.
// It has smooth regions, sharp edges, saturated and dark colours and fine texture, so every
// corruption and filter has something to act on.
#include <opencv2/core.hpp>

namespace advbn::shift {

// A CV_8UC3 (BGR) image of the given size (each side >= 8); the same for every call.
cv::Mat demo_scene(cv::Size size);

}  // namespace advbn::shift
