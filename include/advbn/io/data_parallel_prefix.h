#pragma once
// nn.DataParallel and DistributedDataParallel save their wrapped model's weights under
// "module.<name>"; the bare model expects "<name>".
#include <advbn/io/state_dict.h>

#include <string>

namespace advbn::io {

// Removes a leading "module." from every key that has one, keeping the order. Throws
// advbn::Error naming `source` if two keys become equal.
StateDict strip_data_parallel_prefix(StateDict weights, const std::string& source);

}  // namespace advbn::io
