#include "advbn/demo/finished_runs.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "advbn/train/checkpoint.h"
#include "advbn/train/trainer.h"

namespace advbn {

namespace fs = std::filesystem;

nlohmann::json ensure_trained(const TrainConfig& config, const DemoOptions& options, std::ostream& log) {
  TrainRunOptions run;
  run.device = options.device;
  run.interactive = options.interactive;
  if (fs::exists(checkpoint_path(config.out))) {
    const auto [stored, progress] = read_checkpoint_header(config.out);
    if (stored.to_json() == config.to_json()) {
      if (progress.next_epoch >= config.epochs) {
        log << "reusing the finished run in " << config.out << "\n";
      } else {
        run.resume = true;
      }
    } else {
      fs::remove_all(config.out);
    }
  }
  if (!fs::exists(checkpoint_path(config.out)) || run.resume) {
    if (!run.resume) fs::remove(fs::path(config.out) / "metrics.jsonl");
    train(config, run, log);
  }
  nlohmann::json history = nlohmann::json::array();
  std::ifstream metrics(fs::path(config.out) / "metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    if (!line.empty()) history.push_back(nlohmann::json::parse(line));
  }
  return history;
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::ostringstream s;
  s << std::put_time(std::gmtime(&now), "%Y-%m-%d %H:%M UTC");
  return s.str();
}

}  // namespace advbn
