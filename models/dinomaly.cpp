#include "models/dinomaly.h"

#include <algorithm>

#include "nn/init.h"
#include "tensor/cpu/matmul_bf16.h"

namespace dn::models {

BottleneckMlp::BottleneckMlp(int64_t dim, int64_t hidden, double dropout, Generator* gen,
                             nn::TensorOptions o) {
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(dim, hidden, true, o));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(hidden, dim, true, o));
  drop = register_module("drop", std::make_shared<nn::Dropout>(dropout, gen));
}

// drop, fc1, GELU, drop, fc2, drop (fc1's bias and the GELU fused: linear_gelu)
Tensor BottleneckMlp::forward(const Tensor& x) const {
  Tensor h = drop->forward(linear_gelu(drop->forward(x), fc1->weight, fc1->bias));
  return drop->forward(fc2->forward(h));
}

Dinomaly::Dinomaly(const DinomalyConfig& c, Generator* gen, nn::TensorOptions o) : config(c) {
  c.validate();
  const int64_t d = c.encoder.dim;
  encoder = register_module("encoder", std::make_shared<DinoV2Encoder>(c.encoder, o));
  bottleneck = register_module("bottleneck", std::make_shared<nn::ModuleList<BottleneckMlp>>());
  bottleneck->push_back(std::make_shared<BottleneckMlp>(d, 4 * d, c.bottleneck_dropout, gen, o));
  decoder = register_module("decoder", std::make_shared<nn::ModuleList<nn::Block>>());
  nn::BlockConfig bc;
  bc.dim = d;
  bc.heads = c.encoder.heads;
  bc.norm_eps = c.decoder_norm_eps;
  bc.layer_scale = false;
  bc.attention = c.attention == AttentionChoice::linear ? nn::AttentionKind::linear
                                                        : nn::AttentionKind::softmax;
  bc.linear_attention_eps = c.linear_attention_eps;
  for (int64_t i = 0; i < c.decoder_depth; ++i) decoder->push_back(std::make_shared<nn::Block>(bc, o));
}

void Dinomaly::init_trainable(Generator& gen) {
  nn::init_trunc_normal(*bottleneck, gen);
  nn::init_trunc_normal(*decoder, gen);
}

namespace {
// Mean over the listed tensors (all the same shape): the reference's stack(...).mean(dim=1),
// in one pass (autograd mean_of).
Tensor mean_of(const std::vector<Tensor>& list, const std::vector<int64_t>& indices) {
  std::vector<Tensor> picked;
  for (int64_t i : indices) picked.push_back(list[i]);
  return dn::mean_of(picked);
}

// [B, T, D] with the first `skip` tokens dropped -> [B, D, h, w]
Tensor to_map(const Tensor& tokens, int64_t skip, int64_t h, int64_t w) {
  const int64_t b = tokens.size(0), d = tokens.size(2);
  Tensor patches = narrow(tokens, 1, skip, tokens.size(1) - skip);
  return contiguous(reshape(permute(patches, {0, 2, 1}), {b, d, h, w}));
}
}  // namespace

Tensor Dinomaly::decoder_input(const Tensor& images, int64_t layer) {
  DN_CHECK(layer >= 0 && layer < int64_t(decoder->size()), "decoder_input: layer ", layer, " out of range [0, ",
           decoder->size(), ")");
  NoGradGuard guard;
  Tensor x = (*bottleneck)[0].forward(encode(images).fused);
  for (int64_t j = 0; j < layer; ++j) x = (*decoder)[j].forward(x);
  return x;
}

namespace {
// The fusion and the encoder groups from the target layers' outputs.
EncodedBatch encoded_from_layers(const DinomalyConfig& c, const std::vector<Tensor>& layers, int64_t h,
                                 int64_t w) {
  NoGradGuard guard;
  EncodedBatch e;
  std::vector<int64_t> all(layers.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int64_t(i);
  e.fused = mean_of(layers, all);
  for (const auto& group : c.encoder_groups())
    e.en.push_back(to_map(mean_of(layers, group), 1 + c.encoder.registers, h, w));
  return e;
}
}  // namespace

namespace {
// The encoder's target-layer outputs. Its products are marked as a frozen encoder's, which
// DN_CPU_MATMUL=bf16-encoder runs with bfloat16 inputs (tensor/cpu/matmul_bf16.h).
std::vector<Tensor> frozen_encoder_layers(DinoV2Encoder& encoder, const Tensor& images,
                                          const std::vector<int64_t>& layers) {
  cpu::FrozenEncoderScope frozen;
  return encoder.forward_layers(images, layers);
}
}  // namespace

EncodedBatch Dinomaly::encode(const Tensor& images) {
  const int64_t h = images.size(2) / config.encoder.patch, w = images.size(3) / config.encoder.patch;
  return encoded_from_layers(config, frozen_encoder_layers(*encoder, images, config.target_layers), h, w);
}

Features Dinomaly::decode(const EncodedBatch& e) {
  DN_CHECK(e.fused.defined() && e.fused.dim() == 3 && !e.en.empty() && e.en[0].dim() == 4,
           "decode: encoder outputs missing or misshapen");
  const int64_t h = e.en[0].size(2), w = e.en[0].size(3);
  const int64_t skip = 1 + config.encoder.registers;
  Features f;
  f.en = e.en;
  Tensor x = (*bottleneck)[0].forward(e.fused);
  std::vector<Tensor> de_list;
  for (size_t j = 0; j < decoder->size(); ++j) {
    x = (*decoder)[j].forward(x);
    de_list.push_back(x);
  }
  std::reverse(de_list.begin(), de_list.end());
  for (const auto& group : config.decoder_groups()) f.de.push_back(to_map(mean_of(de_list, group), skip, h, w));
  return f;
}

Features Dinomaly::forward(const Tensor& images) {
  std::vector<Tensor> layers = frozen_encoder_layers(*encoder, images, config.target_layers);
  const int64_t h = images.size(2) / config.encoder.patch, w = images.size(3) / config.encoder.patch;
  Features f = decode(encoded_from_layers(config, layers, h, w));
  f.encoder_layers = std::move(layers);
  return f;
}

}  // namespace dn::models
