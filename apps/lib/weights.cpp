#include "apps/lib/weights.h"

#include "models/weight_names.h"
#include "tensor/io/checkpoint.h"

namespace dn::app {

std::string load_encoder_weights(models::DinoV2Encoder& encoder, const std::string& path) {
  io::NamedTensors found = io::read_checkpoint(path);
  bool hf = false, dinomaly = false;
  for (const auto& [name, t] : found) {
    hf = hf || name.rfind("embeddings.", 0) == 0;
    dinomaly = dinomaly || name.rfind("decoder.", 0) == 0 || name.rfind("bottleneck.", 0) == 0;
  }
  io::NamedTensors original;
  std::string kind;
  if (hf) {
    kind = "HuggingFace dinov2-with-registers weights";
    for (auto& [name, t] : models::dinov2_from_hf(io::to_map(found, path))) original.emplace_back(name, t);
  } else if (dinomaly) {
    kind = "the encoder of a Dinomaly checkpoint";
    for (auto& [name, t] : found)
      if (name.rfind("encoder.", 0) == 0) original.emplace_back(name.substr(8), t);
  } else {
    kind = "DINOv2 weights";
    original = std::move(found);
  }
  encoder.load_state_dict(original, true, path);
  return kind + " from " + path;
}

void load_trainable_weights(models::Dinomaly& model, const std::string& path) {
  io::NamedTensors bottleneck, decoder;
  for (auto& [name, t] : io::read_checkpoint(path)) {
    if (name.rfind("bottleneck.", 0) == 0) bottleneck.emplace_back(name.substr(11), t);
    else if (name.rfind("decoder.", 0) == 0) decoder.emplace_back(name.substr(8), t);
    else DN_CHECK(name.rfind("encoder.", 0) == 0, path, ": unexpected tensor '", name, "' in a Dinomaly checkpoint");
  }
  DN_CHECK(!bottleneck.empty() && !decoder.empty(), path, ": holds no bottleneck.* and decoder.* weights");
  model.bottleneck->load_state_dict(bottleneck, true, path + " (bottleneck)");
  model.decoder->load_state_dict(decoder, true, path + " (decoder)");
}

void randomize_encoder_weights(models::DinoV2Encoder& encoder, uint64_t seed) {
  Generator gen(seed ^ 0x5eed5eed5eedull);
  models::randomize_encoder(encoder, gen);
}

}  // namespace dn::app
