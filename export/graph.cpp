#include "export/graph.h"

#include "tensor/ops.h"

namespace dn::onnx_export {

std::string GraphBuilder::fresh(const std::string& hint) {
  std::string name = hint;
  int& n = next_suffix_[hint];
  while (taken_.count(name)) name = hint + "_" + std::to_string(++n);
  taken_.insert(name);
  return name;
}

onnx::TensorProto* GraphBuilder::initializer(const std::string& hint, int32_t data_type) {
  onnx::TensorProto* init = graph_->add_initializer();
  init->set_name(fresh(hint));
  init->set_data_type(data_type);
  return init;
}

std::string GraphBuilder::weight(const std::string& name, const Tensor& t) {
  Tensor c = kernel::contiguous(kernel::to(kernel::to(t, Device::cpu()), DType::f32));
  onnx::TensorProto* init = initializer(name, onnx::TensorProto::FLOAT);
  for (int64_t d : c.shape()) init->add_dims(d);
  init->set_raw_data(c.data<float>(), size_t(c.numel()) * sizeof(float));
  return init->name();
}

std::string GraphBuilder::ints(const std::vector<int64_t>& values, const std::string& hint) {
  onnx::TensorProto* init = initializer(hint, onnx::TensorProto::INT64);
  init->add_dims(int64_t(values.size()));
  for (int64_t v : values) init->add_int64_data(v);
  return init->name();
}

std::string GraphBuilder::int_scalar(int64_t value, const std::string& hint) {
  onnx::TensorProto* init = initializer(hint, onnx::TensorProto::INT64);
  init->add_int64_data(value);  // no dims: a scalar
  return init->name();
}

std::string GraphBuilder::scalar(float value, const std::string& hint) {
  onnx::TensorProto* init = initializer(hint, onnx::TensorProto::FLOAT);
  init->add_float_data(value);  // no dims: a scalar
  return init->name();
}

namespace {
void set_attribute(onnx::AttributeProto* a, const Attribute& attribute) {
  a->set_name(attribute.name);
  if (auto* i = std::get_if<int64_t>(&attribute.value)) {
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(*i);
  } else if (auto* f = std::get_if<float>(&attribute.value)) {
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(*f);
  } else if (auto* list = std::get_if<std::vector<int64_t>>(&attribute.value)) {
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : *list) a->add_ints(v);
  } else {
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(std::get<std::string>(attribute.value));
  }
}

void set_float_type(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) {
    onnx::TensorShapeProto_Dimension* dim = t->mutable_shape()->add_dim();
    if (d < 0) dim->set_dim_param("N");
    else dim->set_dim_value(d);
  }
}
}  // namespace

std::string GraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                               const std::vector<Attribute>& attributes, int outputs) {
  onnx::NodeProto* n = graph_->add_node();
  n->set_op_type(op);
  n->set_name(fresh(op));
  for (const std::string& in : inputs) n->add_input(in);
  for (int i = 0; i < outputs; ++i) n->add_output(fresh(op + "_out"));
  for (const Attribute& a : attributes) set_attribute(n->add_attribute(), a);
  return n->output(0);
}

std::vector<std::string> GraphBuilder::node_outputs() const {
  const onnx::NodeProto& n = graph_->node(graph_->node_size() - 1);
  return {n.output().begin(), n.output().end()};
}

void GraphBuilder::input(const std::string& name, const std::vector<int64_t>& dims) {
  DN_CHECK(taken_.insert(name).second, "onnx export: the value name '", name, "' is taken");
  set_float_type(graph_->add_input(), name, dims);
}

void GraphBuilder::output(const std::string& name, const std::string& value, const std::vector<int64_t>& dims) {
  onnx::NodeProto* n = graph_->add_node();
  n->set_op_type("Identity");
  n->set_name(fresh("Identity"));
  n->add_input(value);
  DN_CHECK(taken_.insert(name).second, "onnx export: the value name '", name, "' is taken");
  n->add_output(name);
  set_float_type(graph_->add_output(), name, dims);
}

}  // namespace dn::onnx_export
