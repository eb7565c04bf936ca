// One entry point for "a file of weights": safetensors or a PyTorch .pth, told apart by the
// file's first bytes (a zip archive starts with "PK"), not by its name.
#pragma once
#include <string>

#include "tensor/io/named_tensors.h"

namespace dn::io {

// The tensors of a checkpoint, in file order. Entries of a .pth that are not tensors are
// ignored. Throws dn::Error naming the file on anything unreadable.
NamedTensors read_checkpoint(const std::string& path);

}  // namespace dn::io
