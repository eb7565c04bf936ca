// Where an encoder's weights come from: a DINOv2 .pth (original names), a HuggingFace
// dinov2-with-registers model.safetensors (renamed, q/k/v fused), a Dinomaly checkpoint
// (its encoder.* part), or an explicit random initialisation for demonstrations.
#pragma once
#include <string>

#include "models/dinomaly.h"

namespace dn::app {

// Loads `path` into the encoder, strictly: one dn::Error lists every missing, unexpected
// or mis-shaped tensor. Returns a one-line description of what was found.
std::string load_encoder_weights(models::DinoV2Encoder& encoder, const std::string& path);

// Loads the bottleneck.* and decoder.* tensors of a Dinomaly checkpoint (official names;
// encoder.* entries, if any, are ignored), strictly: both parts must be complete.
void load_trainable_weights(models::Dinomaly& model, const std::string& path);

// Random weights (a demonstration: the features of an untrained encoder mean little).
void randomize_encoder_weights(models::DinoV2Encoder& encoder, uint64_t seed);

}  // namespace dn::app
