#include "tensor/io/named_tensors.h"

#include "tensor/error.h"

namespace dn::io {

TensorMap to_map(const NamedTensors& tensors, const std::string& origin) {
  TensorMap map;
  for (const auto& [name, tensor] : tensors)
    DN_CHECK(map.emplace(name, tensor).second, origin, ": tensor name '", name, "' occurs twice");
  return map;
}

}  // namespace dn::io
