// The DINOv2 encoder as ONNX (models/dinov2.cpp):
//   patches = Conv(image, 14×14 stride 14) -> [N, h·w, D], + the resized position embedding
//   tokens  = [CLS + pos[0], registers, patches]   (the first 1 + R rows are constants)
//   blocks 0..last target layer, softmax attention.
#include "export/parts.h"
#include "export/layers.h"
#include "tensor/ops.h"

namespace dn::onnx_export {

std::vector<std::string> encoder_layers(GraphBuilder& g, const std::string& image, models::DinoV2Encoder& encoder,
                                        const std::vector<int64_t>& target_layers, int64_t crop) {
  const models::EncoderConfig& c = encoder.config;
  const int64_t d = c.dim, patches = (crop / c.patch) * (crop / c.patch), tokens = 1 + c.registers + patches;
  const nn::PatchEmbed& pe = *encoder.patch_embed;
  const std::string conv = g.node("Conv", {image, g.weight("encoder.patch_embed.proj.weight", pe.weight),
                                           g.weight("encoder.patch_embed.proj.bias", pe.bias)},
                                  {{"kernel_shape", std::vector<int64_t>{c.patch, c.patch}},
                                   {"strides", std::vector<int64_t>{c.patch, c.patch}}});
  // [N, D, h, w] -> [N, D, h·w] -> [N, h·w, D]
  const std::string flat = g.node("Transpose", {g.node("Reshape", {conv, g.ints({0, d, patches}, "shape")})},
                                  {{"perm", std::vector<int64_t>{0, 2, 1}}});
  Tensor pos = encoder.position_embedding(crop, crop);  // [1, 1 + h·w, D], as the native model resizes it
  const std::string with_pos =
      g.node("Add", {flat, g.weight("encoder.pos_embed_patches", kernel::narrow(pos, 1, 1, patches))});
  // The CLS token (with its position) and the registers (without), the same for every image.
  Tensor prefix = kernel::cat({kernel::binary(BinaryOp::add, encoder.cls_token, kernel::narrow(pos, 1, 0, 1)), encoder.register_tokens}, 1);
  const std::string batch = g.node("Slice", {g.node("Shape", {image}), g.ints({0}, "start"), g.ints({1}, "end")});
  const std::string prefix_shape = g.node("Concat", {batch, g.ints({1, 1}, "ones")}, {{"axis", int64_t(0)}});
  const std::string prefix_batch = g.node("Expand", {g.weight("encoder.cls_and_registers", prefix), prefix_shape});
  std::string x = g.node("Concat", {prefix_batch, with_pos}, {{"axis", int64_t(1)}});

  std::vector<std::string> out;
  size_t next = 0;
  for (int64_t i = 0; i <= target_layers.back(); ++i) {
    x = block(g, x, (*encoder.blocks)[size_t(i)], tokens, "encoder.blocks." + std::to_string(i));
    if (i == target_layers[next]) {
      out.push_back(x);
      ++next;
    }
  }
  return out;
}

}  // namespace dn::onnx_export
