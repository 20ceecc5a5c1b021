// corrupt, filter and demo_scene on NumPy images.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "advbn/shift/corruptions.h"
#include "advbn/shift/demo_scene.h"
#include "advbn/shift/filters.h"
#include "bindings.h"

namespace py = pybind11;

namespace advbn::python {
namespace {

using ByteArray = py::array_t<std::uint8_t, py::array::c_style>;

// A checked, C-contiguous uint8 image: H×W, H×W×1 or H×W×3 (RGB, as NumPy users and the Python
// corruption tools hold images).
struct ImageArray {
  ByteArray data;
  int rows = 0, cols = 0, channels = 0;
};

ImageArray checked_image(const py::array& image) {
  if (image.dtype().kind() != 'u' || image.itemsize() != 1) {
    throw py::type_error("expected a uint8 image, got dtype " +
                         std::string(py::str(image.dtype())) +
                         " (convert values in [0, 255] with .astype(numpy.uint8))");
  }
  const bool shape_ok = image.ndim() == 2 ||
                        (image.ndim() == 3 && (image.shape(2) == 1 || image.shape(2) == 3));
  if (!shape_ok) {
    std::string shape;
    for (py::ssize_t d = 0; d < image.ndim(); ++d) {
      shape += (d ? ", " : "") + std::to_string(image.shape(d));
    }
    throw py::value_error("expected an image of shape (H, W), (H, W, 1) or (H, W, 3), got (" +
                          shape + ")");
  }
  ImageArray out;
  out.data = ByteArray::ensure(image);
  if (!out.data) throw py::error_already_set();
  out.rows = static_cast<int>(image.shape(0));
  out.cols = static_cast<int>(image.shape(1));
  out.channels = image.ndim() == 3 ? static_cast<int>(image.shape(2)) : 1;
  return out;
}

// Applies a library transform (BGR or grayscale cv::Mat in, same out) to a NumPy image and returns
// a new array of the input's shape. The GIL is released meanwhile, so data-loader threads corrupt
// images in parallel.
template <typename Transform>
py::array transformed(const py::array& image, const Transform& transform) {
  const ImageArray in = checked_image(image);
  py::array_t<std::uint8_t> out(
      std::vector<py::ssize_t>(image.shape(), image.shape() + image.ndim()));
  const int type = CV_8UC(in.channels);
  void* const in_pixels = const_cast<std::uint8_t*>(in.data.data());
  void* const out_pixels = out.mutable_data();
  {
    py::gil_scoped_release no_gil;
    const cv::Mat source(in.rows, in.cols, type, in_pixels);
    cv::Mat target(in.rows, in.cols, type, out_pixels);
    if (in.channels == 3) {
      cv::Mat bgr;
      cv::cvtColor(source, bgr, cv::COLOR_RGB2BGR);
      cv::cvtColor(raising_value_errors([&] { return transform(bgr); }), target,
                   cv::COLOR_BGR2RGB);
    } else {
      raising_value_errors([&] { return transform(source); }).copyTo(target);
    }
  }
  return std::move(out);
}

}  // namespace

void bind_images(py::module_& m) {
  m.def(
      "_corrupt",
      [](const py::array& image, const std::string& name, int severity, std::uint64_t seed,
         const std::string& preset) {
        const shift::Preset tables =
            raising_value_errors([&] { return shift::parse_preset(preset); });
        return transformed(image, [&](const cv::Mat& bgr) {
          return shift::corrupt(bgr, name, severity, seed, tables);
        });
      },
      py::arg("image"), py::arg("name"), py::arg("severity"), py::arg("seed"), py::arg("preset"));
  m.def(
      "_filter",
      [](const py::array& image, const std::string& name) {
        return transformed(image,
                           [&](const cv::Mat& bgr) { return shift::apply_filter(bgr, name); });
      },
      py::arg("image"), py::arg("name"));
  m.def("_common_corruptions", &shift::common_corruptions);
  m.def("_held_out_corruptions", &shift::held_out_corruptions);
  m.def("_filter_names", &shift::filter_names);
  m.def(
      "_demo_scene",
      [](int height, int width) {
        if (height < 1 || width < 1) throw py::value_error("demo_scene needs a positive size");
        py::array_t<std::uint8_t> out({height, width, 3});
        const cv::Mat bgr = shift::demo_scene(cv::Size(width, height));
        cv::Mat target(height, width, CV_8UC3, out.mutable_data());
        cv::cvtColor(bgr, target, cv::COLOR_BGR2RGB);
        return out;
      },
      py::arg("height"), py::arg("width"));
}

}  // namespace advbn::python
