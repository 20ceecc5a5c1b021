#pragma once
// PyTorch checkpoints (torch.save files, usually .pth/.pt/.bin) as state dicts.
#include <advbn/io/state_dict.h>

#include <string>

namespace advbn::io {

// Reads a zip-format or legacy checkpoint without executing any of its code. The state dict
// may be the saved object itself or nested in a training checkpoint under "state_dict",
// "model_state_dict" or "model"; a leading "module." (DataParallel, DDP) is removed from
// every key. Keys keep their saved order; tensors keep their saved strides and share storage
// where they did when saved. Throws advbn::Error naming the file on any problem, including
// any pickled object other than tensors and plain containers.
StateDict read_torch_checkpoint(const std::string& path);

// Writes `weights` in the zip format of torch.save (PyTorch 1.6+), as a collections.OrderedDict
// of contiguous CPU tensors that torch.load reads, also with weights_only=True, and that
// nn.Module.load_state_dict accepts.
void write_torch_checkpoint(const std::string& path, const StateDict& weights);

}  // namespace advbn::io
