#include "optim/clip.h"

#include <cmath>

#include "tensor/ops.h"

namespace dn::optim {

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm) {
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  // Per-tensor norms in the gradients' own precision, then the norm of those norms.
  const DType dtype = grads[0].dtype();
  std::vector<double> norms;
  for (const Tensor& g : grads) {
    Tensor sq = kernel::reduce(ReduceOp::sum, kernel::binary(BinaryOp::mul, g, g), {}, false);
    norms.push_back(kernel::unary(UnaryOp::sqrt, sq).item());
  }
  Tensor stacked = kernel::to(from_vector<double>(norms, {int64_t(norms.size())}), dtype);
  const double total = kernel::unary(UnaryOp::sqrt,
                                     kernel::reduce(ReduceOp::sum,
                                                    kernel::binary(BinaryOp::mul, stacked, stacked),
                                                    {}, false)).item();
  // torch computes the coefficient as a tensor of the gradients' dtype
  Tensor coef_t = kernel::to(scalar_tensor(max_norm / (total + 1e-6), DType::f64), dtype);
  const double coef = std::min(coef_t.item(), 1.0);
  for (const Tensor& g : grads) kernel::copy_(g, kernel::unary(UnaryOp::mul_scalar, g, coef));
  return total;
}

}  // namespace dn::optim
