#include "models/dinov2.h"

#include <cmath>

#include "nn/init.h"
#include "tensor/ops.h"

namespace dn::models {

DinoV2Encoder::DinoV2Encoder(const EncoderConfig& c, nn::TensorOptions o) : config(c) {
  const int64_t d = c.dim;
  // Own parameters first, in DINOv2's state_dict order, then the children.
  cls_token = register_parameter("cls_token", zeros({1, 1, d}, o.dtype, o.device));
  pos_embed = register_parameter("pos_embed", zeros({1, 1 + c.pos_grid * c.pos_grid, d}, o.dtype, o.device));
  register_tokens = register_parameter("register_tokens", zeros({1, c.registers, d}, o.dtype, o.device));
  mask_token = register_parameter("mask_token", zeros({1, d}, o.dtype, o.device));
  patch_embed = register_module("patch_embed", std::make_shared<nn::PatchEmbed>(c.patch, 3, d, o));
  blocks = register_module("blocks", std::make_shared<nn::ModuleList<nn::Block>>());
  nn::BlockConfig bc;
  bc.dim = d;
  bc.heads = c.heads;
  bc.mlp_ratio = c.mlp_ratio;
  bc.norm_eps = c.norm_eps;
  bc.layer_scale = true;
  bc.layer_scale_init = 1e-8;  // the checkpoint's ls*.gamma replace it
  bc.attention = nn::AttentionKind::softmax;
  for (int64_t i = 0; i < c.depth; ++i) blocks->push_back(std::make_shared<nn::Block>(bc, o));
  norm = register_module("norm", std::make_shared<nn::LayerNorm>(d, c.norm_eps, o));
  freeze();
}

Tensor DinoV2Encoder::position_embedding(int64_t height, int64_t width) {
  NoGradGuard guard;
  const int64_t g = config.pos_grid, d = config.dim;
  const int64_t h_patches = height / config.patch, w_patches = width / config.patch;
  if (h_patches * w_patches == g * g && height == width) return pos_embed;  // the trained grid
  // [1, g·g, D] -> [1, D, g, g], resize, -> [1, h·w, D]
  Tensor grid = permute(reshape(narrow(pos_embed, 1, 1, g * g), {1, g, g, d}), {0, 3, 1, 2});
  InterpolateOptions o;
  o.mode = ResampleMode::bicubic;
  o.scale_h = (double(h_patches) + config.interpolate_offset) / std::sqrt(double(g * g));
  o.scale_w = (double(w_patches) + config.interpolate_offset) / std::sqrt(double(g * g));
  Tensor resized = interpolate(grid, o);
  DN_CHECK(resized.size(2) == h_patches && resized.size(3) == w_patches,
           "position embedding: interpolated to ", resized.size(2), "x", resized.size(3),
           " instead of ", h_patches, "x", w_patches);
  Tensor patches = reshape(permute(resized, {0, 2, 3, 1}), {1, h_patches * w_patches, d});
  return cat({narrow(pos_embed, 1, 0, 1), patches}, 1);
}

Tensor DinoV2Encoder::prepare_tokens(const Tensor& images) {
  DN_CHECK(images.dim() == 4 && images.size(1) == 3, "encoder: expected images [B, 3, H, W], got ",
           images.describe());
  DN_CHECK(images.size(2) % config.patch == 0 && images.size(3) % config.patch == 0,
           "encoder: image size ", images.size(2), "x", images.size(3),
           " is not a multiple of the patch size ", config.patch);
  const int64_t b = images.size(0), d = config.dim;
  Tensor x = patch_embed->forward(images);                               // [B, N, D]
  x = cat({expand(cls_token, {b, 1, d}), x}, 1);                         // [B, 1+N, D]
  x = add(x, position_embedding(images.size(2), images.size(3)));
  return cat({narrow(x, 1, 0, 1), expand(register_tokens, {b, config.registers, d}),
              narrow(x, 1, 1, x.size(1) - 1)}, 1);                       // [B, 1+R+N, D]
}

std::vector<Tensor> DinoV2Encoder::forward_layers(const Tensor& images,
                                                  const std::vector<int64_t>& layers) {
  NoGradGuard guard;  // frozen: record nothing, keep nothing but the requested outputs
  DN_CHECK(!layers.empty() && layers.back() < int64_t(blocks->size()), "encoder: layer ",
           layers.empty() ? -1 : layers.back(), " does not exist (", blocks->size(), " blocks)");
  Tensor x = prepare_tokens(images);
  std::vector<Tensor> out;
  size_t next = 0;
  for (int64_t i = 0; i <= layers.back(); ++i) {
    x = (*blocks)[i].forward(x);
    if (i == layers[next]) {
      out.push_back(x);
      ++next;
    }
  }
  return out;
}

void randomize_encoder(DinoV2Encoder& encoder, Generator& gen) {
  NoGradGuard guard;
  nn::init_trunc_normal(encoder, gen, 0.02, 0.04);
  for (auto& [name, p] : encoder.named_parameters()) {
    const bool token = name == "cls_token" || name == "pos_embed" || name == "register_tokens" ||
                       name == "mask_token";
    const bool conv = name.rfind("patch_embed.proj.weight", 0) == 0;
    if (token || conv) kernel::copy_(p, kernel::trunc_normal(p.shape(), 0, 0.02, -0.04, 0.04, gen, p.dtype(), p.device()));
    if (name.find(".ls1.gamma") != std::string::npos || name.find(".ls2.gamma") != std::string::npos)
      kernel::fill_(p, 0.1);
  }
}

}  // namespace dn::models
