// The common currency of the checkpoint readers: tensors with their dotted names
// ("blocks.0.attn.qkv.weight"), in the order the file holds them.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace dn::io {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using TensorMap = std::map<std::string, Tensor>;

// name -> tensor; throws dn::Error naming `origin` (a file, say) if a name occurs twice.
TensorMap to_map(const NamedTensors& tensors, const std::string& origin);

}  // namespace dn::io
