#include "nn/block.h"

namespace dn::nn {

// Registration order follows the reference modules, since it fixes parameter order:
// norm1, attn, ls1, norm2, mlp, ls2.
Block::Block(const BlockConfig& c, TensorOptions o) {
  norm1 = register_module("norm1", std::make_shared<LayerNorm>(c.dim, c.norm_eps, o));
  attn = register_module("attn", std::make_shared<Attention>(c.dim, c.heads, c.attention,
                                                             c.qkv_bias, c.linear_attention_eps, o));
  if (c.layer_scale) ls1 = register_module("ls1", std::make_shared<LayerScale>(c.dim, c.layer_scale_init, o));
  norm2 = register_module("norm2", std::make_shared<LayerNorm>(c.dim, c.norm_eps, o));
  const int64_t hidden = int64_t(double(c.dim) * c.mlp_ratio);
  mlp = register_module("mlp", std::make_shared<Mlp>(c.dim, hidden, c.dim, o));
  if (c.layer_scale) ls2 = register_module("ls2", std::make_shared<LayerScale>(c.dim, c.layer_scale_init, o));
}

Tensor Block::forward(const Tensor& x_in) const {
  Tensor y = attn->forward(norm1->forward(x_in));
  Tensor x = add(x_in, ls1 ? ls1->forward(y) : y);
  Tensor z = mlp->forward(norm2->forward(x));
  return add(x, ls2 ? ls2->forward(z) : z);
}

}  // namespace dn::nn
