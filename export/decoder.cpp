// The trainable half as ONNX (models/dinomaly.cpp), in evaluation mode:
//   x     = mean of the target layers' outputs (all tokens)
//   x     = bottleneck: fc2(gelu(fc1(x)))   (its dropouts are the identity)
//   de_j  = decoder block j's output; the list is reversed
//   en[g] = mean of the encoder layers of group g, de[g] likewise; then the CLS and register
//           tokens are dropped.
#include <algorithm>

#include "export/layers.h"
#include "export/parts.h"

namespace dn::onnx_export {

namespace {
std::string mean_of_group(GraphBuilder& g, const std::vector<std::string>& list, const std::vector<int64_t>& group) {
  std::vector<std::string> picked;
  for (int64_t i : group) picked.push_back(list[size_t(i)]);
  return mean_of(g, picked);
}

// [N, T, D] -> [N, T - skip, D]: the patch tokens.
std::string patch_tokens(GraphBuilder& g, const std::string& x, int64_t skip, int64_t tokens) {
  return g.node("Slice", {x, g.ints({skip}, "start"), g.ints({tokens}, "end"), g.ints({1}, "axes")});
}
}  // namespace

GroupFeatures group_features(GraphBuilder& g, const models::Dinomaly& model, const std::vector<std::string>& layers,
                             int64_t tokens) {
  const models::DinomalyConfig& c = model.config;
  const int64_t skip = 1 + c.encoder.registers;
  std::vector<int64_t> all(layers.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int64_t(i);
  const models::BottleneckMlp& bottleneck = (*model.bottleneck)[0];
  std::string x = mean_of_group(g, layers, all);
  x = linear(g, gelu(g, linear(g, x, *bottleneck.fc1, "bottleneck.0.fc1")), *bottleneck.fc2, "bottleneck.0.fc2");
  std::vector<std::string> de_list;
  for (size_t j = 0; j < model.decoder->size(); ++j) {
    x = block(g, x, (*model.decoder)[j], tokens, "decoder." + std::to_string(j));
    de_list.push_back(x);
  }
  std::reverse(de_list.begin(), de_list.end());
  GroupFeatures f;
  for (const auto& group : c.encoder_groups()) f.en.push_back(patch_tokens(g, mean_of_group(g, layers, group), skip, tokens));
  for (const auto& group : c.decoder_groups()) f.de.push_back(patch_tokens(g, mean_of_group(g, de_list, group), skip, tokens));
  return f;
}

}  // namespace dn::onnx_export
