// The nn/ modules as ONNX subgraphs: each function adds the nodes that compute what the
// module's forward() computes in evaluation mode (dropout is the identity there) and
// returns the name of the result. `name` prefixes the module's weights (its parameter
// path, e.g. "decoder.3.attn"), so the graph's initializers read like the checkpoint's.
//
// Shapes: x is [N, T, D] throughout, N the (dynamic) batch; `tokens` is T, fixed by the crop.
#pragma once
#include "export/graph.h"
#include "nn/block.h"

namespace dn::onnx_export {

// x·Wᵀ + b, with Wᵀ stored transposed so that the graph needs no Transpose.
std::string linear(GraphBuilder& g, const std::string& x, const nn::Linear& layer, const std::string& name);
// LayerNormalization over the last dim (opset 17).
std::string layer_norm(GraphBuilder& g, const std::string& x, const nn::LayerNorm& layer, const std::string& name);
// The exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)): opset 17 has no Gelu, and Erf is exact.
std::string gelu(GraphBuilder& g, const std::string& x);
// fc2(gelu(fc1(x)))
std::string mlp(GraphBuilder& g, const std::string& x, const nn::Mlp& mlp, const std::string& name);
// Multi-head self-attention, softmax or linear as the module says (nn/attention.h).
std::string attention(GraphBuilder& g, const std::string& x, const nn::Attention& attn, int64_t tokens,
                      const std::string& name);
// x + ls1(attn(norm1(x))), then + ls2(mlp(norm2(x))) (nn/block.h).
std::string block(GraphBuilder& g, const std::string& x, const nn::Block& block, int64_t tokens,
                  const std::string& name);

// The mean of equally shaped values: Sum, then a division by their count.
std::string mean_of(GraphBuilder& g, const std::vector<std::string>& values);

}  // namespace dn::onnx_export
