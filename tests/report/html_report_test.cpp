#include "advbn/report/html_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "advbn/error.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kCorruptions[] = {"gaussian_noise", "shot_noise",  "impulse_noise", "defocus_blur",
                                    "glass_blur",     "motion_blur", "zoom_blur",     "snow",
                                    "frost",          "fog",         "brightness",    "contrast",
                                    "elastic_transform", "pixelate", "jpeg_compression"};
const char* const kFilters[] = {"1977", "aden", "toaster", "kelvin"};

// A model whose errors grow with severity and whose level is set by `base` (lower is more robust).
json synthetic_model(double clean_top1, double base, bool with_history, bool adversarial) {
  json model = {{"clean_top1", clean_top1}, {"corruption_error", base + 12.0}, {"filters_top1", 90.0 - base}};
  int index = 0;
  for (const char* corruption : kCorruptions) {
    for (int severity = 1; severity <= 5; ++severity) {
      model["corruptions"][corruption][std::to_string(severity)] = base + 4.0 * severity + index % 4;
    }
    ++index;
  }
  index = 0;
  for (const char* filter : kFilters) model["filters"][filter] = 90.0 - base + index++;
  if (with_history) {
    for (int epoch = 1; epoch <= 4; ++epoch) {
      json record = {{"epoch", epoch}, {"train_loss", 1.0 / epoch}, {"train_top1", 70.0 + 5 * epoch},
                     {"val_top1", 68.0 + 4 * epoch}};
      if (adversarial) record["train_adv_top1"] = 50.0 + 6 * epoch;
      model["history"].push_back(record);
    }
  }
  return model;
}

json synthetic_report() {
  json report = {{"dataset", "fashion-mnist"},
                 {"seconds", 812.3},
                 {"date", "2024-05-01T12:00:00Z"},
                 {"machine", "2-core test box"},
                 {"config", {{"epochs", 4}, {"epsilon", 1.1}, {"cut", "layer2"}, {"note", "<script>x</script>"},
                             {"train", {{"lr", 0.01}}}}}};
  report["models"]["pretrained"] = synthetic_model(91.2, 30.0, true, false);
  report["models"]["standard"] = synthetic_model(92.25, 25.0, true, false);
  report["models"]["advbn"] = synthetic_model(91.75, 20.0, true, true);
  report["models"]["advbn_adv_branch"] = synthetic_model(85.5, 22.0, false, false);
  report["examples"] = json::array();
  report["examples"].push_back({{"shift", "clean"}, {"severity", 0}, {"file", "examples/clean.png"}});
  for (int severity = 1; severity <= 5; ++severity) {
    report["examples"].push_back({{"shift", "gaussian_noise"},
                                  {"severity", severity},
                                  {"file", "examples/gaussian_noise_" + std::to_string(severity) + ".png"}});
  }
  report["examples"].push_back({{"shift", "toaster"}, {"severity", 0}, {"file", "examples/toaster.png"}});
  return report;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void expect_png(const fs::path& path) {
  ASSERT_TRUE(fs::is_regular_file(path)) << path;
  const std::string bytes = read_file(path);
  ASSERT_GT(bytes.size(), 1000u) << path << " is too small to hold a plot";
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path << " is not a PNG";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const char* const kPlots[] = {"corruption_error", "error_vs_severity", "filter_top1", "training_curves"};

TEST(HtmlReport, WritesPlotsAndPageForTheDemoReport) {
  const auto dir = advbn::test::temp_dir("html_report_full");
  const json report = synthetic_report();
  advbn::report::write_html_report(report, dir.string());

  for (const char* plot : kPlots) {
    expect_png(dir / "plots" / (std::string(plot) + ".png"));
    EXPECT_TRUE(fs::is_regular_file(dir / "plots" / (std::string(plot) + ".gp"))) << "script kept for " << plot;
  }
  const std::string html = read_file(dir / "report.html");
  ASSERT_FALSE(html.empty());
  for (const char* model : {"pretrained", "standard", "advbn", "advbn_adv_branch"}) {
    EXPECT_TRUE(contains(html, std::string("<td>") + model + "</td>")) << model;
  }
  // Summary values: clean top-1, corruption error and filters top-1 of each model.
  for (const char* value : {"91.20", "92.25", "91.75", "85.50", "42.00", "37.00", "32.00", "60.00", "65.00", "70.00"}) {
    EXPECT_TRUE(contains(html, ">" + std::string(value) + "<")) << value;
  }
  // advbn − standard: clean −0.50 (worse), corruption error −5.00 (better), filters +5.00 (better).
  EXPECT_TRUE(contains(html, "advbn &minus; standard"));
  EXPECT_TRUE(contains(html, "<td class=\"number worse\">-0.50</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"number better\">-5.00</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"number better\">+5.00</td>"));
  for (const char* plot : kPlots) {
    EXPECT_TRUE(contains(html, "<img class=\"plot\" src=\"plots/" + std::string(plot) + ".png\"")) << plot;
  }
  for (const auto& example : report["examples"]) {
    EXPECT_TRUE(contains(html, "<img src=\"" + example["file"].get<std::string>() + "\"")) << example;
  }
  EXPECT_TRUE(contains(html, "<th>gaussian_noise</th>"));
  EXPECT_TRUE(contains(html, "severity 5"));
  // Config, flattened and escaped.
  EXPECT_TRUE(contains(html, "<td>train.lr</td>"));
  EXPECT_TRUE(contains(html, "<td>layer2</td>"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;x&lt;/script&gt;"));
  EXPECT_FALSE(contains(html, "<script>"));
  EXPECT_TRUE(contains(html, "fashion-mnist"));
  EXPECT_TRUE(contains(html, "13 min 32 s"));
  fs::remove_all(dir);
}

TEST(HtmlReport, ShowsOnlyWhatTheReportHolds) {
  json report = {{"models", {{"standard", synthetic_model(90.0, 25.0, false, false)}}}};
  report["models"]["standard"].erase("filters");
  report["models"]["standard"].erase("filters_top1");
  const auto dir = advbn::test::temp_dir("html_report_subset");
  advbn::report::write_html_report(report, dir.string());

  expect_png(dir / "plots" / "corruption_error.png");
  expect_png(dir / "plots" / "error_vs_severity.png");
  EXPECT_FALSE(fs::exists(dir / "plots" / "filter_top1.png"));
  EXPECT_FALSE(fs::exists(dir / "plots" / "training_curves.png"));
  const std::string html = read_file(dir / "report.html");
  EXPECT_TRUE(contains(html, "<td>standard</td>"));
  EXPECT_TRUE(contains(html, ">n/a<")) << "filters top-1 is missing";
  EXPECT_FALSE(contains(html, "filter_top1.png"));
  EXPECT_FALSE(contains(html, "training_curves.png"));
  EXPECT_FALSE(contains(html, "&minus; standard"));
  fs::remove_all(dir);
}

TEST(HtmlReport, EscapesModelNamesInPageAndPlots) {
  json report = {{"models", {{"it's <b>\"odd\"</b>", synthetic_model(90.0, 25.0, true, false)}}}};
  const auto dir = advbn::test::temp_dir("html_report_escape");
  advbn::report::write_html_report(report, dir.string());
  const std::string html = read_file(dir / "report.html");
  EXPECT_TRUE(contains(html, "it&#39;s &lt;b&gt;&quot;odd&quot;&lt;/b&gt;"));
  EXPECT_FALSE(contains(html, "<b>\"odd\""));
  for (const char* plot : kPlots) expect_png(dir / "plots" / (std::string(plot) + ".png"));
  fs::remove_all(dir);
}

TEST(HtmlReport, FolderUnderARegularFileThrows) {
  const auto dir = advbn::test::temp_dir("html_report_bad_dir");
  std::ofstream(dir / "file") << "not a folder";
  const std::string out_dir = (dir / "file" / "report").string();
  try {
    advbn::report::write_html_report(synthetic_report(), out_dir);
    FAIL() << "expected advbn::Error";
  } catch (const advbn::Error& e) {
    EXPECT_TRUE(contains(e.what(), out_dir)) << e.what();
  }
  fs::remove_all(dir);
}

TEST(HtmlReport, MalformedReportThrowsNamingTheKey) {
  const auto dir = advbn::test::temp_dir("html_report_malformed");
  EXPECT_THROW(advbn::report::write_html_report(json{{"dataset", "x"}}, dir.string()), advbn::Error);

  json report = synthetic_report();
  report["models"]["advbn"]["clean_top1"] = "high";
  try {
    advbn::report::write_html_report(report, dir.string());
    FAIL() << "expected advbn::Error";
  } catch (const advbn::Error& e) {
    EXPECT_TRUE(contains(e.what(), "models.advbn.clean_top1")) << e.what();
  }
  report = synthetic_report();
  report["models"]["standard"]["corruptions"]["fog"]["severe"] = 50.0;
  EXPECT_THROW(advbn::report::write_html_report(report, dir.string()), advbn::Error);
  EXPECT_FALSE(fs::exists(dir / "report.html")) << "nothing is written for a malformed report";
  fs::remove_all(dir);
}

}  // namespace
