#pragma once
// The autoencoder part of the demo (paper §3 and App. A at demo scale): a decoder trained on
// Fashion-MNIST for the demo's pretrained prefix, and with it two test sets no model trained on —
// Stylized-Fashion-MNIST (AdaIN with the textures of the gnome-backgrounds package, α = 1, one
// style per image) and Fashion-MNIST-AdvBN (AdvBN at the bottleneck against the pretrained
// classifier, m = 6, τ = 0.2, ε = 1.1, batches of 32 in test order) — plus a gallery of
// originals next to their AdvBN-decoded versions at several ε.
#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "advbn/data/dataset.h"
#include "advbn/demo/demo.h"
#include "advbn/eval/shift_suite.h"

namespace advbn {

// Where the demo's autoencoder comes from.
struct AutoencoderDemoPlan {
  std::string arch;        // the pretrained network's architecture
  std::string pretrained;  // its weights: the encoder is its prefix, the attack's classifier all of it
  std::string cut;         // the encoder's last block (the demo's AdvBN cut)
  int epochs = 3;
  int64_t limit = 0;       // decoder training images per epoch; 0: all
};

struct AutoencoderTestSets {
  std::vector<Shift> shifts;  // "stylized" and "advbn_decoded", images made once per test index
  // The report's "autoencoder" section without "models": decoder history and held-out PSNR,
  // styles, attack settings, the gallery's file and per-ε classifier figures.
  nlohmann::json section;
};

// Trains (or reuses) the decoder in options.out/cache/autoencoder, builds both test sets from
// `test` and writes options.out/autoencoder/gallery.png. Throws advbn::Error when the style folder
// (options.styles) holds no images.
AutoencoderTestSets make_autoencoder_test_sets(const DemoOptions& options, const AutoencoderDemoPlan& plan,
                                               const data::DatasetPtr& test, std::ostream& log);

// The section's models × test sets as a table for the terminal.
void print_autoencoder_table(const nlohmann::json& section, std::ostream& log);

}  // namespace advbn
