// A pre-norm transformer block:
//   x = x + ls1(attn(norm1(x)));   x = x + ls2(mlp(norm2(x)))
// DINOv2's blocks have LayerScale (ls1, ls2) and eps 1e-6; Dinomaly's decoder blocks have
// no LayerScale, eps 1e-8 and linear attention.
#pragma once
#include "nn/attention.h"

namespace dn::nn {

struct BlockConfig {
  int64_t dim = 384, heads = 6;
  double mlp_ratio = 4.0;
  bool qkv_bias = true;
  double norm_eps = 1e-6;
  bool layer_scale = true;
  double layer_scale_init = 1e-5;
  AttentionKind attention = AttentionKind::softmax;
  double linear_attention_eps = 0.0;
};

class Block : public Module {
 public:
  explicit Block(const BlockConfig& c, TensorOptions o = {});
  Tensor forward(const Tensor& x) const;
  std::string type_name() const override { return "Block"; }

  std::shared_ptr<LayerNorm> norm1, norm2;
  std::shared_ptr<Attention> attn;
  std::shared_ptr<LayerScale> ls1, ls2;  // null without LayerScale
  std::shared_ptr<Mlp> mlp;
};

}  // namespace dn::nn
