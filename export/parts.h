// Dinomaly's parts as ONNX subgraphs (models/dinov2.h, models/dinomaly.h,
// models/anomaly_map.h), for a fixed crop and a dynamic batch N.
#pragma once
#include "export/graph.h"
#include "models/anomaly_map.h"
#include "models/dinomaly.h"

namespace dn::onnx_export {

// The encoder from the image [N, 3, crop, crop] to the raw outputs of the target layers
// (all tokens, [N, T, D] each). The position embedding resized for the crop is baked in as
// a constant, as are the CLS and register tokens.
std::vector<std::string> encoder_layers(GraphBuilder& g, const std::string& image, models::DinoV2Encoder& encoder,
                                        const std::vector<int64_t>& target_layers, int64_t crop);

// The fusion, bottleneck and decoder, and the group means: en[g], de[g] as patch tokens
// only, [N, h·w, D] each (the maps' [N, D, h, w] layout is not needed for the cosine).
struct GroupFeatures {
  std::vector<std::string> en, de;
};
GroupFeatures group_features(GraphBuilder& g, const models::Dinomaly& model,
                             const std::vector<std::string>& layers, int64_t tokens);

// The anomaly map [N, 1, out, out] and the scores [N] from the group features.
struct MapAndScore {
  std::string map, score;
};
MapAndScore anomaly_map(GraphBuilder& g, const GroupFeatures& f, int64_t grid, int64_t crop,
                        const models::AnomalyMapOptions& options);

}  // namespace dn::onnx_export
