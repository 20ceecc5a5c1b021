// The extension module advbn._advbn: the AdvBN attack and the weight reader on torch tensors,
// plus the image shifts (images.cpp). The Python package (advbn/__init__.py) gives them their
// public signatures.
#include <torch/csrc/autograd/python_variable.h>
#include <torch/csrc/utils/pybind.h>

#include <string>
#include <utility>
#include <vector>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/io/weights_file.h"
#include "bindings.h"

namespace advbn::python {
namespace {

// Returns (perturbed features, delta_mu, delta_sigma, losses).
py::tuple attack(const at::Tensor& features, const py::function& loss, double epsilon,
                 double step_size, int steps, const std::string& kind, bool relu_clamp,
                 bool random_start) {
  AdvBNOptions options;
  options.epsilon = epsilon;
  options.step_size = step_size;
  options.steps = steps;
  options.relu_clamp = relu_clamp;
  options.random_start = random_start;
  const AdvBatchNorm advbn = raising_value_errors([&] {
    options.kind = parse_perturbation_kind(kind);
    return AdvBatchNorm(options);
  });
  const FeatureLoss feature_loss = [&loss](const torch::Tensor& f) {
    py::gil_scoped_acquire gil;
    const py::object value = loss(f);
    if (!THPVariable_Check(value.ptr())) {
      throw py::type_error("the AdvBN loss must return a scalar torch.Tensor, got " +
                           std::string(py::str(py::type::of(value))));
    }
    return THPVariable_Unpack(value.ptr());
  };
  AdvBNResult result;
  {
    // torch's autograd engine refuses to run while the GIL is held; the loss takes it back for
    // each call.
    py::gil_scoped_release no_gil;
    result = raising_value_errors([&] { return advbn.attack(features, feature_loss); });
  }
  return py::make_tuple(result.features, result.delta_mu, result.delta_sigma, result.losses);
}

py::dict load_weights(const std::string& path) {
  io::StateDict weights;
  {
    py::gil_scoped_release no_gil;
    weights = io::load_weights(path);
  }
  py::dict out;
  for (auto& [name, tensor] : weights) out[py::str(name)] = std::move(tensor);
  return out;
}

}  // namespace
}  // namespace advbn::python

PYBIND11_MODULE(_advbn, m) {
  namespace ap = advbn::python;
  m.doc() = "Native part of the advbn package; use the functions of `advbn` instead.";
  ap::bind_images(m);
  m.def("_attack", &ap::attack, py::arg("features"), py::arg("loss"), py::arg("epsilon"),
        py::arg("step_size"), py::arg("steps"), py::arg("kind"), py::arg("relu_clamp"),
        py::arg("random_start"));
  // advbn::Error from a file that is missing, malformed or hostile reaches Python as RuntimeError
  // (pybind11's translation of std::runtime_error), with the library's message.
  m.def("_load_weights", &ap::load_weights, py::arg("path"));
}
