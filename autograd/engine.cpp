// The backward engine: runs the graph's nodes in a topological order, iteratively.
//
// 1. Walk the graph from the root and count, for every node, how many edges lead into it.
// 2. Start with the root's gradient. A node runs once every node that feeds it a gradient
//    has run (its count drops to zero); its incoming gradients have then all been summed.
// 3. Before a node runs, the hooks of the tensor it produced see (and may replace) that
//    tensor's complete gradient.
// Gradients of broadcast inputs are reduced to the input's shape here, in one place. A
// gradient reaching a node from several consumers (a residual connection) is summed into
// the first one's memory when no one else holds it.
#include <unordered_map>

#include "autograd/autograd.h"
#include "tensor/ops.h"

namespace dn {

namespace {

Tensor make_alias(const Tensor& x) {
  return make_view(x.storage(), x.shape(), x.strides(), x.offset(), x.dtype());
}

std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  TensorImpl* impl = leaf.impl();
  if (auto existing = impl->grad_accumulator.lock()) return existing;
  auto node = std::make_shared<AccumulateGrad>(leaf.impl_ptr());
  impl->grad_accumulator = node;
  return node;
}

Edge edge_to(const Tensor& input) {
  Edge e;
  if (!input.defined()) return e;
  e.shape = input.shape();
  e.dtype = input.dtype();
  if (!input.requires_grad()) return e;
  e.node = input.grad_fn() ? input.grad_fn() : grad_accumulator(input);
  return e;
}

// Makes a gradient fit the input it belongs to: sums broadcast dims away, checks the rest.
Tensor fit_gradient(const Tensor& grad, const Edge& edge, const Node& node) {
  Tensor g = grad;
  if (g.shape() != edge.shape) {
    DN_CHECK(broadcast_shapes("backward", edge.shape, g.shape()) == g.shape(), "backward of ",
             node.name(), ": gradient ", shape_str(g.shape()), " does not fit input ",
             shape_str(edge.shape));
    g = kernel::sum_to_shape(g, edge.shape);
  }
  DN_CHECK(g.dtype() == edge.dtype, "backward of ", node.name(), ": gradient is ",
           dtype_name(g.dtype()), " but the input is ", dtype_name(edge.dtype));
  return g;
}

// True when `buffer` is a gradient no one else can see (its handle and its memory are held
// by the engine alone) laid out like `g`: it may then be summed into in place.
bool can_add_in_place(const Tensor& buffer, const Tensor& g) {
  return buffer.impl_ptr().use_count() == 1 && buffer.storage().use_count() == 1 &&
         buffer.is_contiguous() && buffer.shape() == g.shape() && buffer.dtype() == g.dtype() &&
         buffer.device() == g.device();
}

}  // namespace

bool any_requires_grad(std::initializer_list<Tensor> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Tensor record(Op op, const Tensor& out, const std::vector<Tensor>& inputs, BackwardFn backward) {
  bool needed = false;
  if (grad_enabled())
    for (const Tensor& t : inputs) needed = needed || (t.defined() && t.requires_grad());
  if (!needed) return out;
  auto node = std::make_shared<OpNode>(op, std::move(backward));
  node->inputs.reserve(inputs.size());
  for (const Tensor& t : inputs) node->inputs.push_back(edge_to(t));
  Tensor result = make_alias(out);
  result.impl()->requires_grad = true;
  result.impl()->grad_fn = std::move(node);
  return result;
}

Tensor record(Op op, const Tensor& out, std::initializer_list<Tensor> inputs, BackwardFn backward) {
  return record(op, out, std::vector<Tensor>(inputs), std::move(backward));
}

void check_no_grad(Op op, std::initializer_list<Tensor> inputs) {
  DN_CHECK(!any_requires_grad(inputs), op_info(op).name, ": has no gradient (",
           op_info(op).no_grad_reason, "), but an input requires grad; detach() it or run "
           "under NoGradGuard");
}

Tensor detach(const Tensor& x) {
  DN_CHECK(x.defined(), "detach: undefined tensor");
  return make_alias(x);
}

void register_hook(const Tensor& t, GradHook hook) {
  DN_CHECK(t.defined() && t.requires_grad(), "register_hook: the tensor does not require grad");
  if (t.grad_fn()) t.grad_fn()->pre_hooks.push_back(std::move(hook));
  else t.impl()->leaf_hooks.push_back(std::move(hook));
}

void zero_grad(const std::vector<Tensor>& tensors) {
  for (const Tensor& t : tensors) t.impl()->grad = Tensor();
}

void backward(const Tensor& root, const Tensor& grad_in, bool retain_graph) {
  DN_CHECK(root.defined() && root.requires_grad(), "backward: the tensor does not require grad "
           "(no input of the ops that made it required grad, or it was made under NoGradGuard)");
  Tensor grad = grad_in;
  if (!grad.defined()) {
    DN_CHECK(root.numel() == 1, "backward: a gradient can be implied only for a one-element "
             "output; ", root.describe(), " needs an explicit grad");
    grad = full(root.shape(), 1.0, root.dtype(), root.device());
  }
  DN_CHECK(grad.shape() == root.shape() && grad.dtype() == root.dtype(), "backward: grad ",
           grad.describe(), " does not match ", root.describe());

  NoGradGuard no_grad;
  Edge root_edge = edge_to(root);
  std::shared_ptr<Node> start = root_edge.node;

  // 1. Dependency counts over the reachable graph.
  std::unordered_map<Node*, int> pending;
  std::vector<Node*> stack{start.get()};
  pending[start.get()] = 0;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->inputs) {
      if (!e.node) continue;
      auto [it, inserted] = pending.try_emplace(e.node.get(), 0);
      ++it->second;
      if (inserted) stack.push_back(e.node.get());
    }
  }

  // 2. Run nodes whose gradients are complete.
  std::unordered_map<Node*, Tensor> buffers;
  buffers[start.get()] = grad;
  std::vector<std::shared_ptr<Node>> ready{start};
  while (!ready.empty()) {
    std::shared_ptr<Node> node = std::move(ready.back());
    ready.pop_back();
    Tensor g = std::move(buffers[node.get()]);
    buffers.erase(node.get());
    for (const GradHook& hook : node->pre_hooks) {
      Tensor replaced = hook(g);
      if (replaced.defined()) g = replaced;
    }
    std::vector<Tensor> input_grads = node->apply(g);
    g = Tensor();
    DN_CHECK(input_grads.size() == node->inputs.size() || node->inputs.empty(), "backward of ",
             node->name(), ": returned ", input_grads.size(), " gradients for ",
             node->inputs.size(), " inputs");
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Edge& e = node->inputs[i];
      if (!e.node) continue;
      if (input_grads[i].defined()) {
        Tensor gi = fit_gradient(input_grads[i], e, *node);
        auto it = buffers.find(e.node.get());
        if (it == buffers.end()) buffers.emplace(e.node.get(), gi);
        else if (can_add_in_place(it->second, gi)) kernel::add_(it->second, gi);
        else it->second = kernel::binary(BinaryOp::add, it->second, gi);
      }
      if (--pending[e.node.get()] == 0) {
        // A node none of whose gradients arrived (all undefined) has nothing to pass on.
        if (buffers.count(e.node.get())) ready.push_back(e.node);
      }
    }
    if (!retain_graph) node->release();
  }
}

}  // namespace dn
