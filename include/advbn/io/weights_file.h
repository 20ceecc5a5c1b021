#pragma once
// One entry point for weight files of any supported format.
#include <advbn/io/state_dict.h>

#include <string>

namespace advbn::io {

// Recognises the format by content, not by name: a zip-format or legacy PyTorch checkpoint
// (see read_torch_checkpoint: nested training checkpoints are unwrapped) or a safetensors
// file. A leading "module." is removed from every key. Throws advbn::Error naming the file
// when the format is not recognised or the file is malformed.
StateDict load_weights(const std::string& path);

// Chooses the format by extension: ".safetensors" writes safetensors; ".pth", ".pt" and ".bin"
// write a PyTorch checkpoint that torch.load and load_state_dict accept.
void save_weights(const std::string& path, const StateDict& weights);

}  // namespace advbn::io
