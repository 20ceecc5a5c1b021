#include "advbn/report/method_comparison.h"

#include <algorithm>
#include <cmath>

#include "advbn/error.h"
#include "gnuplot_script.h"

namespace advbn::report {

namespace {

using nlohmann::json;

template <typename T>
T typed(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw Error("comparison JSON: " + where + " lacks \"" + key + "\"");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw Error("comparison JSON: " + where + "." + key + " has the wrong type: " + it->dump());
  }
}

}  // namespace

Spread spread_of(const std::vector<MethodRun>& runs, double MethodRun::*figure) {
  Spread s;
  if (runs.empty()) return s;
  for (const auto& run : runs) s.mean += run.*figure;
  s.mean /= static_cast<double>(runs.size());
  if (runs.size() < 2) return s;
  double squares = 0;
  for (const auto& run : runs) squares += (run.*figure - s.mean) * (run.*figure - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(runs.size() - 1));
  return s;
}

json to_json(const std::vector<MethodResults>& comparison) {
  json methods = json::array();
  for (const auto& m : comparison) {
    json runs = json::array();
    for (const auto& r : m.runs) {
      runs.push_back({{"seed", r.seed},
                      {"clean_top1", r.clean_top1},
                      {"corruption_error", r.corruption_error},
                      {"filters_top1", r.filters_top1},
                      {"seconds_per_epoch", r.seconds_per_epoch}});
    }
    methods.push_back({{"method", m.method}, {"runs", runs}});
  }
  return methods;
}

std::vector<MethodResults> read_method_comparison(const json& value) {
  if (!value.is_array()) throw Error("comparison JSON: expected an array of methods, got " + value.dump());
  std::vector<MethodResults> comparison;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string where = "comparison[" + std::to_string(i) + "]";
    if (!value[i].is_object()) throw Error("comparison JSON: " + where + " must be an object");
    MethodResults m{typed<std::string>(value[i], "method", where), {}};
    const auto runs = typed<json>(value[i], "runs", where);
    if (!runs.is_array() || runs.empty()) throw Error("comparison JSON: " + where + ".runs must be a non-empty array");
    for (size_t k = 0; k < runs.size(); ++k) {
      const std::string at = where + ".runs[" + std::to_string(k) + "]";
      m.runs.push_back({typed<uint64_t>(runs[k], "seed", at), typed<double>(runs[k], "clean_top1", at),
                        typed<double>(runs[k], "corruption_error", at), typed<double>(runs[k], "filters_top1", at),
                        typed<double>(runs[k], "seconds_per_epoch", at)});
    }
    comparison.push_back(std::move(m));
  }
  return comparison;
}

void write_compute_plot(const std::vector<MethodResults>& comparison, const std::filesystem::path& png) {
  using detail::data_value;
  std::string script = detail::preamble(png.filename().string(), 900, 520);
  script += "$data << EOD\n";
  for (const auto& m : comparison) {
    const auto time = spread_of(m.runs, &MethodRun::seconds_per_epoch);
    const auto error = spread_of(m.runs, &MethodRun::corruption_error);
    script += data_value(time.mean) + " " + data_value(error.mean) + " " + data_value(error.std) + " " +
              detail::data_label(m.method) + "\n";
  }
  script += "EOD\n";
  script += "set title " +
            detail::gnuplot_string("Robustness against training compute (mean ± std over seeds)") + "\n";
  script += "set xlabel 'fine-tuning seconds per epoch (same data, same machine)'\n"
            "set ylabel 'mean corruption error, % (lower is better)'\n"
            "set logscale x\n"
            "set offsets graph 0.08, graph 0.15, graph 0.08, graph 0.08\n"
            "set key off\n"
            "plot $data using 1:2:3 with yerrorbars pt 7 ps 1.3 lc rgb " +
            detail::gnuplot_string(detail::colour_of(1)) +
            ", \\\n     '' using 1:2:4 with labels offset char 1,0.8 left\n";
  auto script_path = png;
  script_path.replace_extension(".gp");
  detail::draw_script(script_path, png, script);
}

}  // namespace advbn::report
