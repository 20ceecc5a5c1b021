// The phases of a step as `advbn bench step` sees them: recorded only while a recording is open,
// in the order they ended, by the attack and by the training steps.
#include "advbn/core/phase_times.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "advbn/core/adv_batch_norm.h"
#include "advbn/models/network_factory.h"
#include "advbn/train/training_step.h"

namespace advbn {
namespace {

std::vector<std::string> phase_names(const PhaseTimes& times) {
  std::vector<std::string> names;
  for (const auto& [phase, seconds] : times) {
    EXPECT_GE(seconds, 0.0) << phase;
    names.push_back(phase);
  }
  return names;
}

TEST(PhaseTimes, RecordsOnlyWhileARecordingIsOpenAndTheInnerOneCollects) {
  { const TimedPhase unrecorded("outside"); }
  PhaseRecording outer;
  {
    const TimedPhase first("first");
    PhaseRecording inner;
    { TimedPhase second("pass", 2); second.end(); }  // end() then the destructor: recorded once
    EXPECT_EQ(phase_names(inner.times()), std::vector<std::string>{"pass 2"});
  }
  EXPECT_EQ(phase_names(outer.times()), std::vector<std::string>{"first"});
  EXPECT_EQ(PhaseRecording::current(), &outer);
}

StagedNetwork small_network() {
  torch::manual_seed(0);
  auto network = create_network({"resnet18", 4, Stem::Small, 0.125});
  network->set_cut("layer1");
  network->freeze_prefix();
  network->train();
  return network;
}

TEST(PhaseTimes, TheAdvBNStepRecordsEachPartInOrder) {
  auto network = small_network();
  torch::optim::SGD optimizer(network->suffix_parameters(), torch::optim::SGDOptions(0.01));
  AdvBNOptions options;
  options.steps = 3;
  const PhaseRecording recording;
  advbn_step(*network, AdvBatchNorm(options), 1.0, optimizer, torch::randn({4, 3, 16, 16}),
             torch::randint(0, 4, {4}));
  const std::vector<std::string> expected = {"prefix",     "feature statistics",   "pgd pass 1",
                                             "pgd pass 2", "pgd pass 3",           "adversarial features",
                                             "clean pass", "adversarial pass",     "optimizer"};
  EXPECT_EQ(phase_names(recording.times()), expected);
}

TEST(PhaseTimes, TheStandardStepRecordsPrefixPassAndOptimizer) {
  auto network = small_network();
  torch::optim::SGD optimizer(network->suffix_parameters(), torch::optim::SGDOptions(0.01));
  const PhaseRecording recording;
  standard_step(*network, optimizer, torch::randn({4, 3, 16, 16}), torch::randint(0, 4, {4}));
  EXPECT_EQ(phase_names(recording.times()), (std::vector<std::string>{"prefix", "clean pass", "optimizer"}));
}

}  // namespace
}  // namespace advbn
