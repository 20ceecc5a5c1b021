#include "advbn/report/divergence_plot.h"

#include <algorithm>
#include <cmath>

#include "advbn/error.h"
#include "gnuplot_script.h"

namespace advbn::report {

namespace {

using nlohmann::json;

const json& member(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw Error("divergence JSON: " + where + " lacks \"" + key + "\"");
  return *it;
}

template <typename T>
T typed(const json& object, const char* key, const std::string& where) {
  try {
    return member(object, key, where).get<T>();
  } catch (const json::exception&) {
    throw Error("divergence JSON: " + where + "." + key + " has the wrong type: " + member(object, key, where).dump());
  }
}

// A value written as JSON null (NaN or infinity) is read back as NaN, which the plot leaves out.
std::vector<double> numbers(const json& array, const std::string& where) {
  if (!array.is_array()) throw Error("divergence JSON: " + where + " must be an array");
  std::vector<double> values;
  for (const auto& v : array) {
    if (v.is_null()) {
      values.push_back(std::nan(""));
    } else if (v.is_number()) {
      values.push_back(v.get<double>());
    } else {
      throw Error("divergence JSON: " + where + " holds a non-number: " + v.dump());
    }
  }
  return values;
}

}  // namespace

json to_json(const DivergenceComparison& comparison) {
  json models = json::array();
  for (const auto& curve : comparison.models) {
    models.push_back({{"model", curve.model}, {"branch", curve.branch}, {"divergence", curve.divergence}});
  }
  return {{"data_a", comparison.data_a},     {"data_b", comparison.data_b}, {"images_a", comparison.images_a},
          {"images_b", comparison.images_b}, {"blocks", comparison.blocks}, {"models", models}};
}

DivergenceComparison read_divergence_comparison(const json& value) {
  if (!value.is_object()) throw Error("divergence JSON: a comparison must be an object, got " + value.dump());
  DivergenceComparison c;
  c.data_a = typed<std::string>(value, "data_a", "comparison");
  c.data_b = typed<std::string>(value, "data_b", "comparison");
  c.images_a = typed<int64_t>(value, "images_a", "comparison");
  c.images_b = typed<int64_t>(value, "images_b", "comparison");
  c.blocks = typed<std::vector<std::string>>(value, "blocks", "comparison");
  const json& models = member(value, "models", "comparison");
  if (!models.is_array()) throw Error("divergence JSON: comparison.models must be an array");
  for (size_t i = 0; i < models.size(); ++i) {
    const std::string where = "models[" + std::to_string(i) + "]";
    if (!models[i].is_object()) throw Error("divergence JSON: " + where + " must be an object");
    DivergenceCurve curve{typed<std::string>(models[i], "model", where), typed<std::string>(models[i], "branch", where),
                          numbers(member(models[i], "divergence", where), where + ".divergence")};
    if (curve.divergence.size() != c.blocks.size()) {
      throw Error("divergence JSON: " + where + " has " + std::to_string(curve.divergence.size()) + " values for " +
                  std::to_string(c.blocks.size()) + " blocks");
    }
    c.models.push_back(std::move(curve));
  }
  return c;
}

void write_divergence_plot(const DivergenceComparison& comparison, const std::filesystem::path& png) {
  using detail::data_value;
  using detail::gnuplot_string;
  const int width = std::clamp(70 * static_cast<int>(comparison.blocks.size()) + 450, 800, 1500);
  std::string script = detail::preamble(png.filename().string(), width, 480);
  script += "$data << EOD\n";
  for (size_t k = 0; k < comparison.blocks.size(); ++k) {
    script += std::to_string(k) + " " + detail::data_label(comparison.blocks[k]);
    for (const auto& curve : comparison.models) script += " " + data_value(curve.divergence[k]);
    script += "\n";
  }
  script += "EOD\n";
  script += "set title " + gnuplot_string("Feature divergence: " + comparison.data_a + " vs " + comparison.data_b) + "\n";
  script += "set xlabel 'block'\n"
            "set ylabel 'symmetric KL, mean over channels'\n"
            "set xtics rotate by 35 right\n"
            "set yrange [0:*]\n"
            "set key outside right top\n";
  script += "set xrange [-0.3:" + std::to_string(comparison.blocks.size()) + "-0.7]\n";
  script += "plot ";
  for (size_t i = 0; i < comparison.models.size(); ++i) {
    if (i > 0) script += ", \\\n     ";
    script += std::string(i == 0 ? "$data" : "''") + " using 1:" + std::to_string(i + 3) +
              (i == 0 ? ":xtic(2)" : "") + " with linespoints lw 2 pt 7 lc rgb " +
              gnuplot_string(detail::colour_of(i)) + " title " + gnuplot_string(comparison.models[i].model);
  }
  script += "\n";
  auto script_path = png;
  script_path.replace_extension(".gp");
  detail::draw_script(script_path, png, script);
}

}  // namespace advbn::report
