#include "nn/init.h"

#include "nn/layers.h"
#include "tensor/ops.h"

namespace dn::nn {

void init_trunc_normal(Module& root, Generator& gen, double std, double clip) {
  NoGradGuard guard;
  for (auto& [name, m] : root.named_modules()) {
    if (auto* lin = dynamic_cast<Linear*>(m.get())) {
      const Tensor& w = lin->weight;
      kernel::copy_(w, kernel::trunc_normal(w.shape(), 0.0, std, -clip, clip, gen, w.dtype(), w.device()));
      if (lin->bias.defined()) kernel::fill_(lin->bias, 0.0);
    } else if (auto* ln = dynamic_cast<LayerNorm*>(m.get())) {
      kernel::fill_(ln->weight, 1.0);
      kernel::fill_(ln->bias, 0.0);
    }
  }
}

}  // namespace dn::nn
