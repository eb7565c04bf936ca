// The DINOv2 ViT with register tokens, as Dinomaly runs it (docs/reference.md §1.2, §2.2):
//
//   tokens = [CLS + pos[0], reg_0..reg_3 (no position), patch_n + pos[1+n] ...]
//   pos: the 37×37 grid the model was trained with, resized by bicubic interpolation
//        (A = -0.75, no antialias) with scale factor (side/14 + 0.1)/37, which also sets
//        the coordinate step: Dinomaly's legacy recipe, not the hub's or HuggingFace's.
//   blocks: pre-norm, LayerScale, LayerNorm eps 1e-6, softmax attention.
//
// Dinomaly reads the RAW outputs of some blocks (no final norm) and runs only the blocks
// up to the last one it reads. The encoder is frozen: it runs under no-grad and keeps no
// activations. Parameter names are the original DINOv2 ones (cls_token, pos_embed,
// register_tokens, mask_token, patch_embed.proj.*, blocks.<i>.*, norm.*).
#pragma once
#include "models/config.h"
#include "nn/block.h"

namespace dn::models {

class DinoV2Encoder : public nn::Module {
 public:
  explicit DinoV2Encoder(const EncoderConfig& config, nn::TensorOptions o = {});

  // [B, 3, H, W] -> [B, 1 + registers + (H/14)(W/14), D]
  Tensor prepare_tokens(const Tensor& images);
  // The position embedding for an H×W input: [1, 1 + (H/14)(W/14), D]. (Recomputed each
  // call: it is cheap next to the blocks, and can never go stale after a weight load.)
  Tensor position_embedding(int64_t height, int64_t width);
  // The outputs of the given blocks (increasing indices), running blocks 0..last only.
  std::vector<Tensor> forward_layers(const Tensor& images, const std::vector<int64_t>& layers);

  std::string type_name() const override { return "DinoVisionTransformer"; }

  EncoderConfig config;
  Tensor cls_token, pos_embed, register_tokens, mask_token;
  std::shared_ptr<nn::PatchEmbed> patch_embed;
  std::shared_ptr<nn::ModuleList<nn::Block>> blocks;
  std::shared_ptr<nn::LayerNorm> norm;  // loaded, never applied by Dinomaly
};

// Fills every encoder parameter with random values, for tests and the demo (the features
// of an untrained encoder are not meaningful; callers say so to the user).
void randomize_encoder(DinoV2Encoder& encoder, Generator& gen);

}  // namespace dn::models
