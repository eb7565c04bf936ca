// The autograd graph.
//
// Every op whose inputs require grad records one Node. A Node knows how to turn the
// gradient of its output into gradients of its inputs (its backward), and has one Edge per
// input pointing at the Node that produced that input. A leaf tensor that requires grad
// (a parameter) is reached through its AccumulateGrad node, which adds the arriving
// gradient into the leaf's .grad. Every Node has exactly one output tensor.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/registry.h"
#include "tensor/tensor.h"

namespace dn {

class Node;

// Where one input's gradient goes, and what that input looked like (for the checks and for
// reducing broadcast gradients back to the input's shape).
struct Edge {
  std::shared_ptr<Node> node;  // null when this input needs no gradient
  Shape shape;
  DType dtype = DType::f32;
};

// needs[i]: whether input i wants a gradient (a backward may skip the others).
using NeedsGrad = std::vector<bool>;
// Gradient of the output -> one gradient per input (undefined where not needed).
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad, const NeedsGrad& needs)>;

class Node {
 public:
  virtual ~Node() = default;
  virtual std::string name() const = 0;
  // Runs the backward. Called once per backward pass, under no-grad.
  virtual std::vector<Tensor> apply(const Tensor& grad) = 0;
  // Frees what the backward saved (called after a backward without retain_graph).
  virtual void release() {}

  std::vector<Edge> inputs;
  std::vector<GradHook> pre_hooks;  // hooks on the output tensor, applied to its full gradient
};

// A recorded op: the backward is a closure over the tensors it saved.
class OpNode : public Node {
 public:
  OpNode(Op op, BackwardFn backward) : op_(op), backward_(std::move(backward)) {}
  std::string name() const override { return op_info(op_).name; }
  Op op() const { return op_; }
  std::vector<Tensor> apply(const Tensor& grad) override;
  void release() override { backward_ = nullptr; }

 private:
  Op op_;
  BackwardFn backward_;
};

// The end of the graph for a leaf: adds the gradient into leaf.grad.
class AccumulateGrad : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf_(std::move(leaf)) {}
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(const Tensor& grad) override;

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

}  // namespace dn
