#include "autograd/node.h"

#include "tensor/ops.h"

namespace dn {

std::vector<Tensor> OpNode::apply(const Tensor& grad) {
  DN_CHECK(backward_ != nullptr, "backward: the graph behind op '", name(),
           "' was already freed by an earlier backward; pass retain_graph=true to the first "
           "backward to run it twice");
  NeedsGrad needs(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) needs[i] = inputs[i].node != nullptr;
  return backward_(grad, needs);
}

std::vector<Tensor> AccumulateGrad::apply(const Tensor& grad_in) {
  Tensor leaf(leaf_);
  Tensor grad = grad_in;
  for (const GradHook& hook : leaf_->leaf_hooks) {
    Tensor replaced = hook(grad);
    if (replaced.defined()) grad = replaced;
  }
  DN_CHECK(grad.shape() == leaf.shape() && grad.dtype() == leaf.dtype(),
           "backward: gradient ", grad.describe(), " does not fit the leaf ", leaf.describe());
  // Store a gradient the leaf owns alone: optimizers scale .grad in place, and the same
  // gradient tensor may reach several leaves (add passes its gradient on twice). When no
  // one else holds this one (only the engine's handle, which it drops after this call, and
  // no view of its memory), it is kept as it is instead of copied.
  Tensor current = leaf.grad();
  if (current.defined()) {
    leaf.set_grad(kernel::binary(BinaryOp::add, current, grad));
  } else {
    const bool alone = grad.is_same(grad_in) && grad_in.impl_ptr().use_count() == 2 &&
                       grad.storage().use_count() == 1 && grad.is_contiguous();
    leaf.set_grad(alone ? grad : kernel::clone(grad));
  }
  return {};
}

}  // namespace dn
