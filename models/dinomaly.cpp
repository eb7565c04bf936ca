#include "models/dinomaly.h"

#include <algorithm>

#include "nn/init.h"

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
  std::vector<Tensor> layers = encoder->forward_layers(images, config.target_layers);
  Tensor x = mean(stack(layers, 1), {1});
  x = (*bottleneck)[0].forward(x);
  for (int64_t j = 0; j < layer; ++j) x = (*decoder)[j].forward(x);
  return x;
}

Features Dinomaly::forward(const Tensor& images) {
  Features f;
  f.encoder_layers = encoder->forward_layers(images, config.target_layers);
  const int64_t h = images.size(2) / config.encoder.patch, w = images.size(3) / config.encoder.patch;
  const int64_t skip = 1 + config.encoder.registers;

  std::vector<int64_t> all(f.encoder_layers.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int64_t(i);
  Tensor x = mean_of(f.encoder_layers, all);
  x = (*bottleneck)[0].forward(x);
  std::vector<Tensor> de_list;
  for (size_t j = 0; j < decoder->size(); ++j) {
    x = (*decoder)[j].forward(x);
    de_list.push_back(x);
  }
  std::reverse(de_list.begin(), de_list.end());

  const auto eg = config.encoder_groups(), dg = config.decoder_groups();
  for (size_t g = 0; g < eg.size(); ++g) {
    f.en.push_back(to_map(mean_of(f.encoder_layers, eg[g]), skip, h, w));
    f.de.push_back(to_map(mean_of(de_list, dg[g]), skip, h, w));
  }
  return f;
}

}  // namespace dn::models
