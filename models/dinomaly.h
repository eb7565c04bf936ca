// Dinomaly (docs/reference.md §1.3–1.6): a frozen encoder, a noisy MLP bottleneck and a decoder of
// linear-attention blocks that learns to rebuild the encoder's features from normal images.
//
//   en_l   = encoder block outputs of the target layers (all tokens)         [B, T, D] each
//   x      = mean_l en_l                                   (fusion: a mean, not a sum)
//   x      = bottleneck(x): dropout, fc1, GELU, dropout, fc2, dropout     (noise x3)
//   de_j   = decoder block j's output, j = 0..7; the list is then REVERSED
//   en[g]  = mean of en_l over group g,  de[g] = mean of reversed de over group g
//            (default: encoder layers {2,3,4,5} <-> decoder blocks {7,6,5,4},
//                               {6,7,8,9} <-> {3,2,1,0})
//   CLS and register tokens ride along through the bottleneck and the decoder and are
//   dropped only now; en[g], de[g] become [B, D, h, w].
// Parameter names are ViTill's: encoder.*, bottleneck.0.*, decoder.<i>.*.
#pragma once
#include "models/dinov2.h"

namespace dn::models {

// The bottleneck MLP ("bMlp"): dropout on its input, its hidden layer and its output.
class BottleneckMlp : public nn::Module {
 public:
  BottleneckMlp(int64_t dim, int64_t hidden, double dropout, Generator* gen, nn::TensorOptions o = {});
  Tensor forward(const Tensor& x) const;
  std::string type_name() const override { return "bMlp"; }
  std::shared_ptr<nn::Linear> fc1, fc2;
  std::shared_ptr<nn::Dropout> drop;
};

struct Features {
  std::vector<Tensor> encoder_layers;  // raw target-layer outputs [B, T, D] (for inspect)
  std::vector<Tensor> en, de;          // per group: [B, D, h, w]
};

// All that the trainable part and the loss read from the frozen encoder, for a batch. It is
// a function of the images alone, so it can be kept per image (models/encoder_cache.h).
struct EncodedBatch {
  Tensor fused;            // mean of the target layers' outputs, all tokens: [B, T, D]
  std::vector<Tensor> en;  // per group: [B, D, h, w]
};

class Dinomaly : public nn::Module {
 public:
  // `gen` draws the dropout masks; it must outlive the model.
  Dinomaly(const DinomalyConfig& config, Generator* gen, nn::TensorOptions o = {});

  Features forward(const Tensor& images);
  // forward() in two halves: the frozen encoder (no gradients recorded) and the rest.
  // forward(images) computes what decode(encode(images)) does, plus encoder_layers.
  EncodedBatch encode(const Tensor& images);
  Features decode(const EncodedBatch& encoded);
  // The input of decoder block `layer` (after the encoder, the fusion, the bottleneck and
  // blocks 0..layer-1), without recording gradients: [B, T, D].
  Tensor decoder_input(const Tensor& images, int64_t layer);
  // (trainable_parameters(), from Module, is the bottleneck's and then the decoder's, in
  // the reference optimizer's order: the encoder is frozen.)
  // Starting values of the trainable part (trunc_normal 0.01, ±0.03; LayerNorm 1/0).
  void init_trainable(Generator& gen);

  std::string type_name() const override { return "ViTill"; }

  DinomalyConfig config;
  std::shared_ptr<DinoV2Encoder> encoder;
  std::shared_ptr<nn::ModuleList<BottleneckMlp>> bottleneck;
  std::shared_ptr<nn::ModuleList<nn::Block>> decoder;
};

}  // namespace dn::models
