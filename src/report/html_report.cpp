#include "advbn/report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "advbn/error.h"
#include "advbn/report/divergence_plot.h"
#include "advbn/report/method_comparison.h"
#include "html_text.h"
#include "report_plots.h"
#include "report_results.h"
#include "text_file.h"

namespace advbn::report {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using detail::escape_html;
using detail::format_number;
using detail::format_percent;
using detail::ModelResults;

constexpr const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1280px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.difference td { font-style: italic; }
td.better { color: #1a7f37; } td.worse { color: #b42318; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; }
img.plot { max-width: 100%; border: 1px solid #eee; }
table.examples figure { margin: 0; text-align: center; }
table.examples img { width: 112px; height: auto; image-rendering: pixelated; }
.note { color: #555; font-size: 0.9em; max-width: 60em; }
)";

std::string as_text(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::string td_number(const std::string& text, const char* extra_class = nullptr) {
  std::string cls = "number";
  if (extra_class) cls += std::string(" ") + extra_class;
  return "<td class=\"" + cls + "\">" + escape_html(text) + "</td>";
}

std::string run_time(double seconds) {
  char buffer[96];
  const long whole = std::lround(seconds);
  if (whole >= 60) {
    std::snprintf(buffer, sizeof buffer, "%.1f s (%ld min %02ld s)", seconds, whole / 60, whole % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
  }
  return buffer;
}

std::string header(const json& report) {
  std::vector<std::string> facts;
  const auto add = [&](const char* key, const char* label) {
    const auto it = report.find(key);
    if (it != report.end() && !it->is_null()) facts.push_back(std::string(label) + ": <b>" + escape_html(as_text(*it)) + "</b>");
  };
  add("dataset", "Dataset");
  add("date", "Date");
  add("machine", "Machine");
  const auto seconds = report.find("seconds");
  if (seconds != report.end() && seconds->is_number()) {
    facts.push_back("Run time: <b>" + escape_html(run_time(seconds->get<double>())) + "</b>");
  }
  std::string html = "<h1>Adversarial Batch Normalization: robustness report</h1>\n";
  if (!facts.empty()) {
    html += "<p class=\"meta\">";
    for (std::size_t i = 0; i < facts.size(); ++i) html += (i ? " &middot; " : "") + facts[i];
    html += "</p>\n";
  }
  return html;
}

const ModelResults* find_model(const std::vector<ModelResults>& models, const std::string& name) {
  const auto it = std::find_if(models.begin(), models.end(), [&](const ModelResults& m) { return m.name == name; });
  return it == models.end() ? nullptr : &*it;
}

// A difference cell coloured by whether it is an improvement; higher_is_better names the direction.
std::string difference_cell(const std::optional<double>& a, const std::optional<double>& b, bool higher_is_better) {
  if (!a || !b) return td_number("n/a");
  const double difference = *a - *b;
  const char* verdict = nullptr;
  if (difference != 0.0) verdict = (difference > 0.0) == higher_is_better ? "better" : "worse";
  return td_number(detail::format_signed_percent(difference), verdict);
}

std::string summary_section(const std::vector<ModelResults>& models) {
  std::string html = "<h2>Summary</h2>\n<table class=\"summary\">\n"
                     "<tr><th>Model</th><th>Clean top-1 (%) &uarr;</th><th>Corruption error (%) &darr;</th>"
                     "<th>Filters top-1 (%) &uarr;</th></tr>\n";
  for (const auto& model : models) {
    html += "<tr><td>" + escape_html(model.name) + "</td>" + td_number(format_percent(model.clean_top1)) +
            td_number(format_percent(model.corruption_error)) + td_number(format_percent(model.filters_top1)) +
            "</tr>\n";
  }
  const ModelResults* advbn = find_model(models, "advbn");
  const ModelResults* standard = find_model(models, "standard");
  if (advbn && standard) {
    html += "<tr class=\"difference\"><td>advbn &minus; standard</td>" +
            difference_cell(advbn->clean_top1, standard->clean_top1, true) +
            difference_cell(advbn->corruption_error, standard->corruption_error, false) +
            difference_cell(advbn->filters_top1, standard->filters_top1, true) + "</tr>\n";
  }
  html += "</table>\n";
  html += "<p class=\"note\">Clean top-1: accuracy on the unshifted test set. Corruption error: top-1 error "
          "averaged over every corruption and severity (lower is better). Filters top-1: accuracy averaged over "
          "the photo filters (higher is better). All values in percent";
  if (advbn && standard) {
    html += "; the last row is advbn minus standard, green where AdvBN fine-tuning did better";
  }
  html += ".</p>\n";
  return html;
}

std::string plots_section(const std::vector<detail::Plot>& plots) {
  if (plots.empty()) return {};
  std::string html = "<h2>Plots</h2>\n";
  for (const auto& plot : plots) {
    html += "<figure><img class=\"plot\" src=\"" + escape_html(plot.file) + "\" alt=\"" + escape_html(plot.title) +
            "\"><figcaption><b>" + escape_html(plot.title) + ".</b> " + escape_html(plot.caption) +
            "</figcaption></figure>\n";
  }
  return html;
}

// A table with one row per name and one column per model that has any value for it.
template <typename ValueOf>
std::string per_model_table(const std::vector<ModelResults>& models, const std::vector<std::string>& names,
                            const char* first_column, ValueOf value_of) {
  std::vector<const ModelResults*> columns;
  for (const auto& model : models) {
    if (std::any_of(names.begin(), names.end(), [&](const std::string& n) { return value_of(model, n).has_value(); })) {
      columns.push_back(&model);
    }
  }
  std::string html = std::string("<table>\n<tr><th>") + first_column + "</th>";
  for (const auto* model : columns) html += "<th>" + escape_html(model->name) + "</th>";
  html += "</tr>\n";
  for (const auto& name : names) {
    html += "<tr><td>" + escape_html(name) + "</td>";
    for (const auto* model : columns) html += td_number(format_percent(value_of(*model, name)));
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string details_section(const std::vector<ModelResults>& models) {
  const auto corruptions = detail::corruption_names(models);
  const auto filters = detail::filter_names(models);
  if (corruptions.empty() && filters.empty()) return {};
  std::string html = "<h2>Details</h2>\n";
  if (!corruptions.empty()) {
    html += "<h3>Top-1 error per corruption (%, mean over severities)</h3>\n";
    html += per_model_table(models, corruptions, "Corruption", detail::mean_error_of_corruption);
  }
  if (!filters.empty()) {
    html += "<h3>Top-1 accuracy per filter (%)</h3>\n";
    html += per_model_table(models, filters, "Filter", [](const ModelResults& model, const std::string& filter) {
      const auto it = model.filter_top1.find(filter);
      return it == model.filter_top1.end() ? std::nullopt : std::optional<double>(it->second);
    });
  }
  return html;
}

struct Example {
  int severity;
  std::string file;
};

// Rows keep the order in which the demo listed the shifts; within a row, examples by severity.
std::vector<std::pair<std::string, std::vector<Example>>> read_examples(const json& report) {
  std::vector<std::pair<std::string, std::vector<Example>>> rows;
  const auto it = report.find("examples");
  if (it == report.end() || it->is_null()) return rows;
  if (!it->is_array()) throw Error("report JSON: \"examples\" must be an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    const std::string where = "examples[" + std::to_string(i) + "]";
    const auto file = entry.is_object() ? entry.find("file") : entry.end();
    if (!entry.is_object() || file == entry.end() || !file->is_string()) {
      throw Error("report JSON: " + where + " must be an object with a \"file\" string, got " + entry.dump());
    }
    const auto shift = entry.find("shift");
    const std::string name = shift != entry.end() && !shift->is_null() ? as_text(*shift) : "unnamed";
    const auto severity = entry.find("severity");
    if (severity != entry.end() && !severity->is_null() && !severity->is_number_integer()) {
      throw Error("report JSON: " + where + ".severity must be an integer, got " + severity->dump());
    }
    const int level = severity != entry.end() && severity->is_number_integer() ? severity->get<int>() : 0;
    auto row = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.first == name; });
    if (row == rows.end()) row = rows.insert(rows.end(), {name, {}});
    row->second.push_back({level, file->get<std::string>()});
  }
  for (auto& row : rows) {
    std::stable_sort(row.second.begin(), row.second.end(),
                     [](const Example& a, const Example& b) { return a.severity < b.severity; });
  }
  return rows;
}

std::string examples_section(const json& report) {
  const auto rows = read_examples(report);
  if (rows.empty()) return {};
  std::string html = "<h2>Example images</h2>\n<p class=\"note\">The same test images under each shift; "
                     "corruptions at every severity listed by the run, filters and the clean set once.</p>\n"
                     "<table class=\"examples\">\n";
  for (const auto& [shift, examples] : rows) {
    html += "<tr><th>" + escape_html(shift) + "</th>";
    for (const auto& example : examples) {
      const bool graded = example.severity > 0;
      const std::string caption = graded ? "severity " + std::to_string(example.severity) : shift;
      const std::string alt = graded ? shift + ", " + caption : shift;
      html += "<td><figure><img src=\"" + escape_html(example.file) + "\" alt=\"" + escape_html(alt) +
              "\"><figcaption>" + escape_html(caption) + "</figcaption></figure></td>";
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::vector<DivergenceComparison> read_divergences(const json& report) {
  std::vector<DivergenceComparison> comparisons;
  const auto it = report.find("divergence");
  if (it == report.end() || it->is_null()) return comparisons;
  if (!it->is_array()) throw Error("report JSON: \"divergence\" must be an array");
  for (const auto& entry : *it) comparisons.push_back(read_divergence_comparison(entry));
  return comparisons;
}

// One figure and one table (blocks × models) per pair of data sets; plots go to out_dir/plots.
std::string divergence_section(const std::vector<DivergenceComparison>& comparisons, const fs::path& folder) {
  if (comparisons.empty()) return {};
  std::string html = "<h2>Feature divergence</h2>\n<p class=\"note\">Per block, the symmetric KL divergence "
                     "between Gaussian fits of each channel's per-image mean on the two data sets, averaged over "
                     "channels (paper §5.4). Lower means the block's features depend less on the domain.</p>\n";
  for (size_t i = 0; i < comparisons.size(); ++i) {
    const auto& c = comparisons[i];
    const std::string file = "plots/divergence_" + std::to_string(i + 1) + ".png";
    write_divergence_plot(c, folder / file);
    const std::string title = c.data_a + " vs " + c.data_b;
    html += "<h3>" + escape_html(title) + "</h3>\n<figure><img class=\"plot\" src=\"" + escape_html(file) +
            "\" alt=\"feature divergence, " + escape_html(title) + "\"><figcaption>" +
            escape_html(std::to_string(c.images_a) + " and " + std::to_string(c.images_b) + " images") +
            "</figcaption></figure>\n<table>\n<tr><th>Block</th>";
    for (const auto& curve : c.models) html += "<th>" + escape_html(curve.model) + "</th>";
    html += "</tr>\n";
    for (size_t k = 0; k < c.blocks.size(); ++k) {
      html += "<tr><td>" + escape_html(c.blocks[k]) + "</td>";
      for (const auto& curve : c.models) html += td_number(format_number(curve.divergence[k], "%.4g"));
      html += "</tr>\n";
    }
    html += "</table>\n";
  }
  return html;
}

std::vector<MethodResults> read_comparison(const json& report) {
  const auto it = report.find("comparison");
  if (it == report.end() || it->is_null()) return {};
  return read_method_comparison(*it);
}

std::string mean_and_spread(const Spread& s, size_t runs, int digits) {
  char buffer[64];
  if (runs < 2) {
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, s.mean);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*f ± %.*f", digits, s.mean, digits, s.std);
  }
  return buffer;
}

// One row per method (mean ± sample std over seeds) and the robustness-against-compute figure.
std::string comparison_section(const std::vector<MethodResults>& comparison, const fs::path& folder) {
  if (comparison.empty()) return {};
  const std::string file = "plots/robustness_vs_compute.png";
  write_compute_plot(comparison, folder / file);
  std::string html = "<h2>Methods under one budget</h2>\n<p class=\"note\">Every method fine-tuned from the same "
                     "pretrained checkpoint with the same cut, data order, augmentation, epochs and learning rate; "
                     "mean ± sample standard deviation over seeds. Seconds per epoch measured in the same run.</p>\n"
                     "<table>\n<tr><th>Method</th><th>Seeds</th><th>Clean top-1 (%)</th><th>Corruption error (%)</th>"
                     "<th>Filter top-1 (%)</th><th>Seconds per epoch</th></tr>\n";
  for (const auto& m : comparison) {
    const size_t n = m.runs.size();
    html += "<tr><td>" + escape_html(m.method) + "</td>" + td_number(std::to_string(n)) +
            td_number(mean_and_spread(spread_of(m.runs, &MethodRun::clean_top1), n, 2)) +
            td_number(mean_and_spread(spread_of(m.runs, &MethodRun::corruption_error), n, 2)) +
            td_number(mean_and_spread(spread_of(m.runs, &MethodRun::filters_top1), n, 2)) +
            td_number(mean_and_spread(spread_of(m.runs, &MethodRun::seconds_per_epoch), n, 1)) + "</tr>\n";
  }
  html += "</table>\n<figure><img class=\"plot\" src=\"" + file +
          "\" alt=\"corruption error against training seconds per epoch\"></figure>\n";
  return html;
}

// The segmentation demo's mIoU per test set and model (report["segmentation"], segmentation_demo.h).
std::string segmentation_section(const json& report) {
  const auto it = report.find("segmentation");
  if (it == report.end() || it->is_null()) return {};
  try {
    const auto& models = it->at("models");
    std::string html = "<h2>Segmentation</h2>\n<table class=\"summary\">\n<tr><th>Test set</th>";
    for (const auto& [name, entry] : models.items()) html += "<th>" + escape_html(name) + " mIoU (%)</th>";
    html += "<th>advbn &minus; standard</th></tr>\n";
    const auto row = [&](const std::string& label, const auto& figure_of) {
      html += "<tr><td>" + escape_html(label) + "</td>";
      for (const auto& [name, entry] : models.items()) html += td_number(format_percent(figure_of(entry)));
      html += difference_cell(figure_of(models.at("advbn")), figure_of(models.at("standard")), true) + "</tr>\n";
    };
    for (const auto& set : it->at("test_sets")) {
      const auto name = set.get<std::string>();
      row(name, [&](const json& entry) -> std::optional<double> {
        return entry.at("test_sets").at(name).at("miou").get<double>();
      });
    }
    row("mean of shifted sets",
        [](const json& entry) -> std::optional<double> { return entry.at("shifted_miou").get<double>(); });
    return html + "</table>\n<p class=\"note\">An FCN trained on scenes of Fashion-MNIST items on flat dark "
                  "backgrounds (the first row), then fine-tuned with and without AdvBN; every other row is a "
                  "domain no model trained on. mIoU over the classes present, from one confusion matrix per "
                  "test set.</p>\n";
  } catch (const json::exception& e) {
    throw Error(std::string("report JSON: malformed \"segmentation\" section: ") + e.what());
  }
}

// The demo's Stylized and AdvBN-decoded test sets and its perturbation gallery
// (report["autoencoder"], demo/autoencoder_demo.h).
std::string autoencoder_section(const json& report) {
  const auto it = report.find("autoencoder");
  if (it == report.end() || it->is_null()) return {};
  try {
    const auto& models = it->at("models");
    std::string html = "<h2>Stylized and AdvBN-decoded test sets</h2>\n<table class=\"summary\">\n<tr><th>Test set</th>";
    for (const auto& [name, entry] : models.items()) html += "<th>" + escape_html(name) + " top-1 (%)</th>";
    html += "<th>advbn &minus; standard</th></tr>\n";
    for (const auto& set : it->at("test_sets")) {
      const auto name = set.get<std::string>();
      html += "<tr><td>" + escape_html(name) + "</td>";
      for (const auto& [model, entry] : models.items()) html += td_number(format_percent(entry.at(name).get<double>()));
      html += difference_cell(models.at("advbn").at(name).get<double>(), models.at("standard").at(name).get<double>(), true) +
              "</tr>\n";
    }
    const auto& decoder = it->at("decoder");
    const auto& styles = it->at("styles");
    html += "</table>\n<p class=\"note\">A decoder trained for the pretrained network up to the cut (" +
            escape_html(decoder.at("encoder").get<std::string>()) + ", held-out PSNR " +
            format_number(decoder.at("val_psnr").get<double>(), "%.2f") + " dB) makes both sets: <i>stylized</i> takes each " +
            "image's bottleneck statistics from one of " + std::to_string(styles.at("count").get<int>()) +
            " style images (AdaIN, &alpha; = " + format_number(styles.at("alpha").get<double>(), "%g") +
            "); <i>advbn_decoded</i> perturbs them with AdvBN against the pretrained classifier (paper App. A).</p>\n";
    const auto& gallery = it->at("gallery");
    html += "<figure><img src=\"" + escape_html(gallery.at("file").get<std::string>()) +
            "\" alt=\"originals, reconstructions and AdvBN-decoded images\"><figcaption>Each row: a test image, its "
            "reconstruction, then AdvBN at the bottleneck at ";
    std::string figures;
    for (const auto& column : gallery.at("columns")) {
      const double epsilon = column.at("epsilon").get<double>();
      if (epsilon <= 0) continue;
      html += (figures.empty() ? "" : ", ") + std::string("&epsilon; = ") + format_number(epsilon, "%g");
      figures += (figures.empty() ? "" : ", ") + format_number(column.at("top1").get<double>(), "%.1f") + "%";
    }
    return html + " (pretrained classifier's top-1 on these images: " + figures + ").</figcaption></figure>\n";
  } catch (const json::exception& e) {
    throw Error(std::string("report JSON: malformed \"autoencoder\" section: ") + e.what());
  }
}

// Nested settings become dotted keys ("train.lr") so that the table stays two columns wide.
void flatten(const json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& rows) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) flatten(child, prefix.empty() ? key : prefix + "." + key, rows);
    return;
  }
  rows.emplace_back(prefix, as_text(value));
}

std::string config_section(const json& report) {
  const auto it = report.find("config");
  if (it == report.end() || it->is_null()) return {};
  std::vector<std::pair<std::string, std::string>> rows;
  if (it->is_object()) {
    flatten(*it, "", rows);
  } else {
    rows.emplace_back("config", as_text(*it));
  }
  if (rows.empty()) return {};
  std::string html = "<h2>Configuration</h2>\n<table class=\"config\">\n<tr><th>Setting</th><th>Value</th></tr>\n";
  for (const auto& [key, value] : rows) {
    html += "<tr><td>" + escape_html(key) + "</td><td>" + escape_html(value) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

}  // namespace

void write_html_report(const json& report, const std::string& out_dir) {
  // Read everything first: a malformed report fails before any file is written.
  const auto models = detail::read_models(report);
  const std::string examples = examples_section(report);
  const auto divergences = read_divergences(report);
  const auto comparison = read_comparison(report);

  const fs::path folder(out_dir);
  detail::create_folder(folder / "plots");
  const auto plots = detail::draw_plots(models, folder);

  const auto dataset = report.find("dataset");
  const std::string title = "advbn report" + (dataset != report.end() && !dataset->is_null()
                                                  ? ": " + escape_html(as_text(*dataset))
                                                  : std::string());
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
                     "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += header(report);
  html += summary_section(models);
  html += plots_section(plots);
  html += details_section(models);
  html += comparison_section(comparison, folder);
  html += divergence_section(divergences, folder);
  html += segmentation_section(report);
  html += autoencoder_section(report);
  html += examples;
  html += config_section(report);
  html += "</body>\n</html>\n";
  detail::write_text_file(folder / "report.html", html);
}

}  // namespace advbn::report
