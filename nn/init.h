// Starting values, as the reference initialises its trainable modules:
// every Linear weight trunc_normal(std 0.01, clipped to ±0.03) with zero bias, every
// LayerNorm weight 1 and bias 0. Modules are visited depth first, in registration order.
#pragma once
#include "nn/module.h"

namespace dn::nn {

void init_trunc_normal(Module& root, Generator& gen, double std = 0.01, double clip = 0.03);

}  // namespace dn::nn
