#pragma once
// The image operations of AutoAugment with the exact arithmetic of PIL, which torchvision applies
// to PIL images in its training recipes (torchvision.transforms.functional on PIL inputs): same
// rounding, same clipping, same sampling positions. Inputs are CV_8UC3 (RGB) or CV_8UC1;
// outputs have the input's size and type.
//
// Blends (brightness, colour, contrast, sharpness) compute degenerate + factor·(image − degenerate)
// in single precision, clip to [0, 255] and truncate, as PIL's ImageEnhance does; factors above 1
// extrapolate away from the degenerate image.
//
// Geometric operations map every output pixel centre back into the input with the inverse
// affine matrix in 16.16 fixed point and take the nearest pixel (PIL's NEAREST), filling pixels
// that come from outside with black.
#include <opencv2/core.hpp>

namespace advbn::data {

// Output (x, y) takes input (x + factor·y, y): torchvision's ShearX(factor), fixed at the top-left.
cv::Mat shear_x(const cv::Mat& image, double factor);
// Output (x, y) takes input (x, y + factor·x).
cv::Mat shear_y(const cv::Mat& image, double factor);
// Output (x, y) takes input (x − pixels, y): content moves right by `pixels`.
cv::Mat translate_x(const cv::Mat& image, int pixels);
cv::Mat translate_y(const cv::Mat& image, int pixels);
// Counter-clockwise rotation by `degrees` about the image centre, size kept (PIL's rotate).
cv::Mat rotate(const cv::Mat& image, double degrees);

// Blend with black: factor 0 gives black, 1 the image.
cv::Mat adjust_brightness(const cv::Mat& image, double factor);
// Blend with the image's luma (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16): factor 0 gives
// grayscale. A grayscale image is its own luma and is returned unchanged.
cv::Mat adjust_color(const cv::Mat& image, double factor);
// Blend with a uniform image at the rounded mean luma.
cv::Mat adjust_contrast(const cv::Mat& image, double factor);
// Blend with the image smoothed by the 3×3 kernel [1 1 1; 1 5 1; 1 1 1] / 13 (rounded), whose
// border pixels are the image's own.
cv::Mat adjust_sharpness(const cv::Mat& image, double factor);

// Keeps the `bits` most significant bits of every value (1 <= bits <= 8).
cv::Mat posterize(const cv::Mat& image, int bits);
// Inverts every value >= threshold.
cv::Mat solarize(const cv::Mat& image, double threshold);
// 255 − value.
cv::Mat invert(const cv::Mat& image);
// Per channel, maps [min, max] linearly onto [0, 255] (truncating); constant channels unchanged.
cv::Mat autocontrast(const cv::Mat& image);
// Per channel histogram equalisation with PIL's look-up table: step = (pixels − count of the
// highest occupied value) / 255 (integer division), lut[v] = (step / 2 + pixels below v) / step.
// Channels with a single occupied value, or step 0, are unchanged.
cv::Mat equalize(const cv::Mat& image);

}  // namespace advbn::data
