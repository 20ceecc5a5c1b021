#include "report_plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "advbn/error.h"
#include "gnuplot_script.h"

namespace advbn::report::detail {

namespace {

namespace fs = std::filesystem;

// One curve or one set of bars: a model's values at each position of the x axis.
struct Series {
  std::string label;
  std::string colour;
  std::vector<std::optional<double>> values;
};

bool has_any_value(const Series& series) {
  return std::any_of(series.values.begin(), series.values.end(),
                     [](const std::optional<double>& v) { return v.has_value(); });
}

std::string grouped_bars_script(const std::string& png, const std::string& title, const std::string& y_label,
                                const std::vector<std::string>& groups, const std::vector<Series>& series) {
  std::string script = preamble(png, std::clamp(80 * static_cast<int>(groups.size()) + 200, 800, 1600), 560);
  script += "$data << EOD\n";
  for (std::size_t g = 0; g < groups.size(); ++g) {
    script += data_label(groups[g]);
    for (const auto& s : series) script += " " + data_value(s.values[g]);
    script += "\n";
  }
  script += "EOD\n";
  script += "set title " + gnuplot_string(title) + "\n";
  script += "set ylabel " + gnuplot_string(y_label) + "\n";
  script += "set style data histograms\n"
            "set style histogram clustered gap 1\n"
            "set style fill solid 0.9 border rgb '#333333'\n"
            "set boxwidth 0.9 relative\n"
            "set xtics rotate by 35 right scale 0\n"
            "set yrange [0:*]\n"
            "set key outside bottom center horizontal width 2\n";
  // Clusters sit at 0, 1, …; without an explicit range gnuplot pads the left side unevenly.
  script += "set xrange [-0.6:" + std::to_string(groups.size()) + "-0.4]\n";
  script += "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (i > 0) script += ", \\\n     ";
    script += i == 0 ? "$data using 2:xtic(1)" : "'' using " + std::to_string(i + 2);
    script += " title " + gnuplot_string(series[i].label) + " lc rgb " + gnuplot_string(series[i].colour);
  }
  return script + "\n";
}

Plot draw(const fs::path& plots_dir, const std::string& name, const std::string& script, Plot plot) {
  draw_script(plots_dir / (name + ".gp"), plots_dir / (name + ".png"), script);
  plot.file = "plots/" + name + ".png";
  return plot;
}

std::optional<Plot> corruption_plot(const std::vector<ModelResults>& models, const fs::path& plots_dir) {
  const auto corruptions = corruption_names(models);
  std::vector<Series> series;
  for (std::size_t m = 0; m < models.size(); ++m) {
    Series s{models[m].name, colour_of(m), {}};
    for (const auto& corruption : corruptions) s.values.push_back(mean_error_of_corruption(models[m], corruption));
    if (has_any_value(s)) series.push_back(std::move(s));
  }
  if (series.empty()) return std::nullopt;
  const std::string script = grouped_bars_script("corruption_error.png", "Error per corruption (mean over severities)",
                                                 "top-1 error (%), lower is better", corruptions, series);
  return draw(plots_dir, "corruption_error", script,
              {"", "Error per corruption",
               "Top-1 error on each corruption of the test set, averaged over its severities; one bar per model."});
}

std::optional<Plot> filter_plot(const std::vector<ModelResults>& models, const fs::path& plots_dir) {
  const auto filters = filter_names(models);
  std::vector<Series> series;
  for (std::size_t m = 0; m < models.size(); ++m) {
    Series s{models[m].name, colour_of(m), {}};
    for (const auto& filter : filters) {
      const auto it = models[m].filter_top1.find(filter);
      s.values.push_back(it == models[m].filter_top1.end() ? std::nullopt : std::optional<double>(it->second));
    }
    if (has_any_value(s)) series.push_back(std::move(s));
  }
  if (series.empty()) return std::nullopt;
  const std::string script = grouped_bars_script("filter_top1.png", "Top-1 accuracy per filter",
                                                 "top-1 accuracy (%), higher is better", filters, series);
  return draw(plots_dir, "filter_top1", script,
              {"", "Accuracy per filter", "Top-1 accuracy on the test set under each photo filter; one bar per model."});
}

std::optional<Plot> severity_plot(const std::vector<ModelResults>& models, const fs::path& plots_dir) {
  const auto levels = severities(models);
  if (levels.empty()) return std::nullopt;
  const int max_severity = std::max(0, levels.back());
  std::vector<Series> series;
  for (std::size_t m = 0; m < models.size(); ++m) {
    if (models[m].corruption_errors.empty()) continue;
    Series s{models[m].name, colour_of(m), {}};
    // Severity 0 is the clean test set, so each line starts where the model stands without shift.
    s.values.push_back(models[m].clean_top1 ? std::optional<double>(100.0 - *models[m].clean_top1) : std::nullopt);
    for (int severity = 1; severity <= max_severity; ++severity) {
      s.values.push_back(mean_error_at_severity(models[m], severity));
    }
    series.push_back(std::move(s));
  }
  std::string script = preamble("error_vs_severity.png", 900, 540);
  script += "$data << EOD\n";
  for (int severity = 0; severity <= max_severity; ++severity) {
    script += std::to_string(severity);
    for (const auto& s : series) script += " " + data_value(s.values[static_cast<std::size_t>(severity)]);
    script += "\n";
  }
  script += "EOD\n";
  script += "set title 'Error vs corruption severity (mean over corruptions)'\n"
            "set xlabel 'severity (0 = clean test set)'\n"
            "set ylabel 'top-1 error (%), lower is better'\n"
            "set xtics ('clean' 0";
  for (int severity = 1; severity <= max_severity; ++severity) {
    script += ", '" + std::to_string(severity) + "' " + std::to_string(severity);
  }
  script += ")\n";
  script += "set xrange [-0.2:" + std::to_string(max_severity) + ".2]\n"
            "set yrange [0:*]\n"
            "set key top left\n"
            "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (i > 0) script += ", \\\n     ";
    script += "$data using 1:" + std::to_string(i + 2) + " with linespoints lw 2 pt 7 ps 1.2 lc rgb " +
              gnuplot_string(series[i].colour) + " title " + gnuplot_string(series[i].label);
  }
  script += "\n";
  return draw(plots_dir, "error_vs_severity", script,
              {"", "Error vs severity",
               "Top-1 error averaged over all corruptions at each severity; severity 0 is the clean test set."});
}

// One panel of the training figure: a y column of every model's history, drawn in the model's colour.
struct CurveSpec {
  int column;  // in the per-model data block: 1 epoch, 2 train_loss, 3 train_top1, 4 val_top1, 5 train_adv_top1
  const char* suffix;
  const char* style;
};

std::optional<Plot> training_plot(const std::vector<ModelResults>& models, const fs::path& plots_dir) {
  std::vector<std::size_t> trained;
  double last_epoch = 1.0;
  for (std::size_t m = 0; m < models.size(); ++m) {
    if (models[m].history.empty()) continue;
    trained.push_back(m);
    for (const auto& record : models[m].history) last_epoch = std::max(last_epoch, record.epoch);
  }
  if (trained.empty()) return std::nullopt;

  std::string blocks;
  for (const std::size_t m : trained) {
    blocks += "$history" + std::to_string(m) + " << EOD\n";
    for (const auto& r : models[m].history) {
      blocks += data_value(r.epoch) + " " + data_value(r.train_loss) + " " + data_value(r.train_top1) + " " +
                data_value(r.val_top1) + " " + data_value(r.train_adv_top1) + "\n";
    }
    blocks += "EOD\n";
  }
  const auto column_of = [](const EpochRecord& r, int column) {
    switch (column) {
      case 2: return r.train_loss;
      case 3: return r.train_top1;
      case 4: return r.val_top1;
      default: return r.train_adv_top1;
    }
  };
  const auto has_column = [&](std::size_t m, int column) {
    return std::any_of(models[m].history.begin(), models[m].history.end(),
                       [&](const EpochRecord& r) { return column_of(r, column).has_value(); });
  };
  const auto panel = [&](const char* title, const char* y_label, const char* key,
                         const std::vector<CurveSpec>& curves) -> std::string {
    std::string plot;
    for (const std::size_t m : trained) {
      for (const auto& curve : curves) {
        if (!has_column(m, curve.column)) continue;
        if (!plot.empty()) plot += ", \\\n     ";
        plot += "$history" + std::to_string(m) + " using 1:" + std::to_string(curve.column) + " " + curve.style +
                " lc rgb " + gnuplot_string(colour_of(m)) + " title " + gnuplot_string(models[m].name + curve.suffix);
      }
    }
    if (plot.empty()) return {};
    return std::string("set title ") + gnuplot_string(title) + "\nset ylabel " + gnuplot_string(y_label) + "\nset key " + key +
           "\nplot " + plot + "\n";
  };
  const std::string loss_panel = panel("Training loss", "loss", "top right", {{2, "", "with linespoints lw 2 pt 7"}});
  const std::string top1_panel = panel("Top-1 accuracy", "top-1 (%)", "bottom right",
                                       {{4, " val", "with linespoints lw 2 pt 7"},
                                        {3, " train", "with lines lw 1.5 dt 2"},
                                        {5, " train (adv. features)", "with lines lw 1.5 dt 3"}});
  const int panels = static_cast<int>(!loss_panel.empty()) + static_cast<int>(!top1_panel.empty());
  if (panels == 0) return std::nullopt;

  std::string script = preamble("training_curves.png", 600 * panels, 500);
  script += blocks;
  // Whole epochs only: fractional ticks would suggest evaluations that never happened.
  const int tick_step = std::max(1, static_cast<int>(std::ceil(last_epoch / 10.0)));
  script += "set xlabel 'epoch'\nset xtics " + std::to_string(tick_step) + "\nset mxtics 1\n";
  script += "set multiplot layout 1," + std::to_string(panels) + "\n";
  script += loss_panel + top1_panel;
  script += "unset multiplot\n";
  const bool adversarial = std::any_of(trained.begin(), trained.end(), [&](std::size_t m) { return has_column(m, 5); });
  std::string caption = "Per epoch: ";
  if (!loss_panel.empty()) caption += std::string("training loss") + (panels == 2 ? " (left)" : "");
  if (panels == 2) caption += " and ";
  if (!top1_panel.empty()) {
    caption += std::string("top-1 accuracy (") + (panels == 2 ? "right; " : "") +
               "solid: validation, dashed: training" +
               (adversarial ? ", dotted: training batches with AdvBN-perturbed features" : "") + ")";
  }
  return draw(plots_dir, "training_curves", script, {"", "Training curves", caption + "."});
}

}  // namespace

std::vector<Plot> draw_plots(const std::vector<ModelResults>& models, const fs::path& out_dir) {
  const fs::path plots_dir = out_dir / "plots";
  std::vector<Plot> plots;
  for (auto plot : {corruption_plot(models, plots_dir), severity_plot(models, plots_dir),
                    filter_plot(models, plots_dir), training_plot(models, plots_dir)}) {
    if (plot) plots.push_back(std::move(*plot));
  }
  return plots;
}

}  // namespace advbn::report::detail
