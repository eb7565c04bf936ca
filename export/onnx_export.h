// A Dinomaly model as one ONNX graph, from the preprocessed image to the anomaly map and
// the image score, written through Debian's ONNX library (protobuf):
//
//   input   image  float32 [N, 3, crop, crop], normalised as the project's preprocessing
//                  leaves it (resize, centre crop, ImageNet mean/std; inspect's "input")
//   outputs map    float32 [N, 1, 256, 256], the map eval scores (before any threshold)
//           score  float32 [N], the mean of the top 1% of the map
//
// Opset 17 (ONNX Runtime runs it; Debian's libonnx 1.12 checks it). What the crop fixes is
// baked in as constants (the resized position embedding, the token counts); N is dynamic.
// Evaluation mode: dropout is the identity. The metadata are free key/value strings.
#pragma once
#include <onnx/onnx_pb.h>

#include <string>
#include <utility>
#include <vector>

#include "models/dinomaly.h"

namespace dn::onnx_export {

constexpr int64_t kOpset = 17;
using Metadata = std::vector<std::pair<std::string, std::string>>;

// Builds the graph of `model` for inputs of side `crop` and checks it with ONNX's checker
// (throws dn::Error naming what the checker found).
onnx::ModelProto build_model(models::Dinomaly& model, int64_t crop, const Metadata& metadata);

// Writes it atomically (a temporary file, then a rename): nothing half-written on failure.
void write_model(const onnx::ModelProto& model, const std::string& path);
// Reads an ONNX file (throws dn::Error naming the file when it is not one).
onnx::ModelProto read_model(const std::string& path);

}  // namespace dn::onnx_export
