#pragma once
// The extension module advbn._advbn is assembled from two translation units: the image shifts,
// which need only OpenCV and NumPy, compile in seconds; the torch parts need LibTorch's headers.
#include <pybind11/pybind11.h>

#include <utility>

#include "advbn/error.h"

namespace advbn::python {

// Registers corrupt, filter, the name lists and demo_scene on the module.
void bind_images(pybind11::module_& m);

// The library reports bad arguments (unknown names, out-of-range severities or options, images it
// cannot take) as advbn::Error; to a Python caller those are ValueErrors.
template <typename Fn>
auto raising_value_errors(Fn&& fn) -> decltype(fn()) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const Error& e) {
    throw pybind11::value_error(e.what());
  }
}

}  // namespace advbn::python
