#include "advbn/core/advbn_options.h"

#include <cmath>

#include "advbn/error.h"

namespace advbn {

PerturbationKind parse_perturbation_kind(const std::string& name) {
  if (name == "multiplicative") return PerturbationKind::Multiplicative;
  if (name == "additive") return PerturbationKind::Additive;
  throw Error("unknown perturbation '" + name + "' (expected multiplicative or additive)");
}

std::string to_string(PerturbationKind kind) {
  return kind == PerturbationKind::Multiplicative ? "multiplicative" : "additive";
}

void AdvBNOptions::validate() const {
  if (!std::isfinite(epsilon) || epsilon < 0) {
    throw Error("AdvBN epsilon must be a finite number >= 0, got " + std::to_string(epsilon));
  }
  if (!std::isfinite(step_size) || step_size < 0) {
    throw Error("AdvBN step size must be a finite number >= 0, got " + std::to_string(step_size));
  }
  if (steps < 0) throw Error("AdvBN steps must be >= 0, got " + std::to_string(steps));
}

}  // namespace advbn
