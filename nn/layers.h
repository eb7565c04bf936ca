// The basic layers, each with PyTorch's parameter names and shapes.
// Parameters are created zero-filled; nn/init.h gives them their starting values.
#pragma once
#include "nn/module.h"

namespace dn::nn {

struct TensorOptions {
  DType dtype = DType::f32;
  Device device = Device::cpu();
};

// y = x·Wᵀ + b.  weight [out, in], bias [out].
class Linear : public Module {
 public:
  Linear(int64_t in, int64_t out, bool bias = true, TensorOptions o = {});
  Tensor forward(const Tensor& x) const;
  std::string type_name() const override { return "Linear"; }
  Tensor weight, bias;
};

// Normalises the last dim: (x - mean)/sqrt(var + eps)·weight + bias.
class LayerNorm : public Module {
 public:
  LayerNorm(int64_t dim, double eps, TensorOptions o = {});
  Tensor forward(const Tensor& x) const;
  std::string type_name() const override { return "LayerNorm"; }
  Tensor weight, bias;
  double eps;
};

// In training, zeroes each element with probability p and scales the rest by 1/(1-p).
// Draws from the generator it is given (the model's, so a run is reproducible).
class Dropout : public Module {
 public:
  Dropout(double p, Generator* gen) : p(p), gen_(gen) {}
  Tensor forward(const Tensor& x) const;
  std::string type_name() const override { return "Dropout"; }
  double p;

 private:
  Generator* gen_;
};

// x·gamma: a learned per-channel scale (DINOv2's ls1/ls2).
class LayerScale : public Module {
 public:
  LayerScale(int64_t dim, double init_value, TensorOptions o = {});
  Tensor forward(const Tensor& x) const { return mul(x, gamma); }
  std::string type_name() const override { return "LayerScale"; }
  Tensor gamma;
};

// fc1 -> GELU -> (dropout) -> fc2 -> (dropout). Dropout with p = 0 is the identity, as in
// the reference's decoder MLP, so it is left out when p is 0.
class Mlp : public Module {
 public:
  Mlp(int64_t in, int64_t hidden, int64_t out, TensorOptions o = {});
  Tensor forward(const Tensor& x) const;
  std::string type_name() const override { return "Mlp"; }
  std::shared_ptr<Linear> fc1, fc2;
};

// Conv2d with stride = kernel = patch: cuts the image into patches and embeds each one.
// [B, 3, H, W] -> [B, (H/p)·(W/p), D], token n is patch (row n / (W/p), col n % (W/p)).
class PatchEmbed : public Module {
 public:
  PatchEmbed(int64_t patch, int64_t in_channels, int64_t dim, TensorOptions o = {});
  Tensor forward(const Tensor& x) const;
  std::string type_name() const override { return "PatchEmbed"; }
  int64_t patch;
  std::shared_ptr<Module> proj_holder;  // "proj": holds weight [D, C, p, p] and bias [D]
  Tensor weight, bias;
};

}  // namespace dn::nn
