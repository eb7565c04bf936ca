// Global gradient-norm clipping, as torch.nn.utils.clip_grad_norm_ (torch 1.12):
//   total = ‖ (‖g_1‖₂, ‖g_2‖₂, ...) ‖₂        (the norm of the per-tensor norms, in order)
//   coef  = min(max_norm / (total + 1e-6), 1)
//   every g_i *= coef                          (always, even when coef is 1)
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dn::optim {

// Returns the total norm before clipping. Tensors without a gradient are skipped.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

}  // namespace dn::optim
