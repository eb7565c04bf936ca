#include "nn/layers.h"

namespace dn::nn {

namespace {
// A module that only holds parameters (PatchEmbed's "proj" conv, seen from outside).
class ParameterHolder : public Module {
 public:
  explicit ParameterHolder(std::string type) : type_(std::move(type)) {}
  Tensor add(const std::string& name, Tensor t) { return register_parameter(name, std::move(t)); }
  std::string type_name() const override { return type_; }

 private:
  std::string type_;
};
}  // namespace

Linear::Linear(int64_t in, int64_t out, bool with_bias, TensorOptions o) {
  DN_CHECK(in > 0 && out > 0, "Linear: sizes must be positive (", in, " -> ", out, ")");
  weight = register_parameter("weight", zeros({out, in}, o.dtype, o.device));
  if (with_bias) bias = register_parameter("bias", zeros({out}, o.dtype, o.device));
}

Tensor Linear::forward(const Tensor& x) const { return linear(x, weight, bias); }

LayerNorm::LayerNorm(int64_t dim, double eps, TensorOptions o) : eps(eps) {
  weight = register_parameter("weight", ones({dim}, o.dtype, o.device));
  bias = register_parameter("bias", zeros({dim}, o.dtype, o.device));
}

Tensor LayerNorm::forward(const Tensor& x) const { return layer_norm(x, weight, bias, eps); }

Tensor Dropout::forward(const Tensor& x) const {
  if (!is_training() || p == 0) return x;
  return dropout(x, p, true, *gen_);
}

LayerScale::LayerScale(int64_t dim, double init_value, TensorOptions o) {
  gamma = register_parameter("gamma", full({dim}, init_value, o.dtype, o.device));
}

Mlp::Mlp(int64_t in, int64_t hidden, int64_t out, TensorOptions o) {
  fc1 = register_module("fc1", std::make_shared<Linear>(in, hidden, true, o));
  fc2 = register_module("fc2", std::make_shared<Linear>(hidden, out, true, o));
}

// fc2(gelu(fc1(x))), with fc1's bias and the GELU fused on the CPU (linear_gelu).
Tensor Mlp::forward(const Tensor& x) const {
  return fc2->forward(linear_gelu(x, fc1->weight, fc1->bias));
}

PatchEmbed::PatchEmbed(int64_t p, int64_t in_channels, int64_t dim, TensorOptions o) : patch(p) {
  auto holder = std::make_shared<ParameterHolder>("Conv2d");
  weight = holder->add("weight", zeros({dim, in_channels, p, p}, o.dtype, o.device));
  bias = holder->add("bias", zeros({dim}, o.dtype, o.device));
  proj_holder = register_module("proj", std::static_pointer_cast<Module>(holder));
}

Tensor PatchEmbed::forward(const Tensor& x) const {
  DN_CHECK(x.dim() == 4 && x.size(2) % patch == 0 && x.size(3) % patch == 0, "PatchEmbed: input ",
           x.describe(), " must be [B, C, H, W] with H and W multiples of the patch size ", patch);
  Tensor y = conv2d(x, weight, bias, patch, 0);     // [B, D, h, w]
  return transpose(flatten(y, 2), 1, 2);            // [B, h·w, D]
}

}  // namespace dn::nn
