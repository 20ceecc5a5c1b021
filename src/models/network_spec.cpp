#include "advbn/models/network_spec.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "advbn/error.h"

namespace advbn {

namespace {

std::string channel_values(const std::array<float, 3>& values) {
  std::ostringstream out;
  out.precision(9);  // round-trips a float
  out << values[0] << "," << values[1] << "," << values[2];
  return out.str();
}

}  // namespace

Stem parse_stem(const std::string& name) {
  if (name == "imagenet") return Stem::ImageNet;
  if (name == "small") return Stem::Small;
  throw Error("unknown stem '" + name + "' (expected imagenet or small)");
}

std::string to_string(Stem stem) { return stem == Stem::Small ? "small" : "imagenet"; }

std::array<float, 3> parse_channel_values(const std::string& text) {
  std::array<float, 3> values{};
  std::istringstream in(text);
  char comma = 0;
  if (!(in >> values[0] >> comma) || comma != ',' || !(in >> values[1] >> comma) || comma != ',' ||
      !(in >> values[2]) || !(in >> std::ws).eof()) {
    throw Error("expected three comma-separated numbers (R,G,B), got '" + text + "'");
  }
  return values;
}

void validate_normalization(const data::Normalization& normalization) {
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(normalization.mean[c]) || !std::isfinite(normalization.std[c]) ||
        !(normalization.std[c] > 0)) {
      throw Error("input normalisation needs finite means and stds > 0, got mean " +
                  channel_values(normalization.mean) + " std " + channel_values(normalization.std));
    }
  }
}

std::map<std::string, std::string> NetworkSpec::to_metadata() const {
  return {{"arch", arch},
          {"num_classes", std::to_string(num_classes)},
          {"stem", to_string(stem)},
          {"width", std::to_string(width)},
          {"input_mean", channel_values(normalization.mean)},
          {"input_std", channel_values(normalization.std)}};
}

NetworkSpec NetworkSpec::with_metadata(const std::map<std::string, std::string>& metadata) const {
  NetworkSpec spec = *this;
  auto field = [&](const char* key) -> const std::string* {
    const auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : &it->second;
  };
  try {
    if (auto v = field("arch")) spec.arch = *v;
    if (auto v = field("num_classes")) spec.num_classes = std::stoll(*v);
    if (auto v = field("stem")) spec.stem = parse_stem(*v);
    if (auto v = field("width")) spec.width = std::stod(*v);
    if (auto v = field("input_mean")) spec.normalization.mean = parse_channel_values(*v);
    if (auto v = field("input_std")) spec.normalization.std = parse_channel_values(*v);
    validate_normalization(spec.normalization);
  } catch (const std::logic_error&) {
    throw Error("malformed network description in checkpoint metadata");
  } catch (const Error& e) {
    throw Error(std::string("malformed network description in checkpoint metadata: ") + e.what());
  }
  return spec;
}

}  // namespace advbn
