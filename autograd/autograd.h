// The public autograd API: running backward, detaching, hooks.
#pragma once
#include <initializer_list>

#include "autograd/grad_mode.h"
#include "autograd/node.h"

namespace dn {

// Computes the gradients of `root` with respect to every leaf that requires grad, adding
// them into the leaves' .grad (gradients accumulate across calls: clear them with
// zero_grad). `grad` is d(something)/d(root); it may be omitted for a one-element root
// (it is then 1). Without retain_graph the graph's saved tensors are freed, and a second
// backward through it throws.
void backward(const Tensor& root, const Tensor& grad = Tensor(), bool retain_graph = false);

// The same data without history: the result is a leaf that does not require grad.
Tensor detach(const Tensor& x);

// Registers a hook that receives the complete gradient of `t` during backward and may
// return a replacement (return an undefined Tensor to keep the gradient as it is).
void register_hook(const Tensor& t, GradHook hook);

// Sets each tensor's .grad to undefined.
void zero_grad(const std::vector<Tensor>& tensors);

// --- for op implementations -----------------------------------------------------------

// True when grad mode is on and some input requires grad: the op must record a node.
bool any_requires_grad(std::initializer_list<Tensor> inputs);

// Connects `out` (a fresh result of a kernel) to the graph: when any input requires grad,
// returns a new handle to out's data whose grad_fn is a node running `backward`;
// otherwise returns `out` unchanged. The backward may capture `out` itself (no cycle: the
// returned handle is a different tensor object).
Tensor record(Op op, const Tensor& out, std::initializer_list<Tensor> inputs, BackwardFn backward);
Tensor record(Op op, const Tensor& out, const std::vector<Tensor>& inputs, BackwardFn backward);

// For an op without a gradient: throws, naming it, when an input requires grad.
void check_no_grad(Op op, std::initializer_list<Tensor> inputs);

}  // namespace dn
