// Running an exported model in ONNX Runtime from a test: through tests/onnx/run_ort.mjs and
// the npm package onnxruntime-node installed under DN_ORT_DIR (tools/install_onnxruntime.sh).
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace dn::test {

// Empty when ONNX Runtime can run here; else why not (for the skip message).
std::string onnx_runtime_missing();

struct OrtOutputs {
  Tensor map, score;  // float32 [N, 1, 256, 256] and [N]
};
// Runs `model_path` on `images` (float32 [N, 3, C, C]) with 2 threads; throws on failure.
OrtOutputs run_onnx_runtime(const std::string& model_path, const Tensor& images, const std::string& scratch_dir);

// max |a - b| / max |b| through tests/support/compare.h: infinite when either side holds a
// NaN or infinity (so that `err <= tol` fails).
double relative_error(const Tensor& a, const Tensor& b);

}  // namespace dn::test
