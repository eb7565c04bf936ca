// Building an ONNX graph (onnx::GraphProto, Debian's libonnx) from the project's tensors:
// unique value names, weights as initializers, and one call per node.
//
//   GraphBuilder g(model.mutable_graph());
//   std::string y = g.node("MatMul", {x, g.weight("fc1.weight_t", w_t)});
//
// Every value is a string name, as in ONNX itself; node() returns the name of its (first)
// output. Weights are copied into the graph as float32 raw data.
#pragma once
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "tensor/tensor.h"

namespace dn::onnx_export {

// One node attribute: an integer, a float, a list of integers or a string.
struct Attribute {
  std::string name;
  std::variant<int64_t, float, std::vector<int64_t>, std::string> value;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  // A fresh value name built from `hint` (hint, hint_1, hint_2, ...).
  std::string fresh(const std::string& hint);

  // A float32 initializer holding `t` (any dtype or device: copied to float32 on the CPU).
  std::string weight(const std::string& name, const Tensor& t);
  // Constant initializers: int64 [n] (shapes, axes, indices), an int64 scalar, a float scalar.
  std::string ints(const std::vector<int64_t>& values, const std::string& hint = "ints");
  std::string int_scalar(int64_t value, const std::string& hint = "index");
  std::string scalar(float value, const std::string& hint = "const");

  // Adds a node of the default domain; returns its first output's name. `outputs` > 1 adds
  // more outputs (their names: node_outputs()).
  std::string node(const std::string& op, const std::vector<std::string>& inputs,
                   const std::vector<Attribute>& attributes = {}, int outputs = 1);
  // The output names of the last node added.
  std::vector<std::string> node_outputs() const;

  // Graph inputs and outputs: float32 with the given dims; a negative dim is the symbolic
  // batch dimension "N". output() names the value `value` `name` for the user (through an
  // Identity node, which ONNX Runtime removes).
  void input(const std::string& name, const std::vector<int64_t>& dims);
  void output(const std::string& name, const std::string& value, const std::vector<int64_t>& dims);

  onnx::GraphProto& graph() { return *graph_; }

 private:
  // A new initializer with a fresh name from `hint` (data_type: onnx::TensorProto's enum).
  onnx::TensorProto* initializer(const std::string& hint, int32_t data_type);

  onnx::GraphProto* graph_;
  std::set<std::string> taken_;              // every value and node name so far
  std::map<std::string, int> next_suffix_;   // per hint: the last suffix tried
};

}  // namespace dn::onnx_export
