// DINOv2-with-registers weights under their two names (docs/reference.md §9):
//
//   original DINOv2 (.pth, and Dinomaly's `encoder.*`)   HuggingFace Dinov2WithRegistersModel
//   cls_token, register_tokens, mask_token                embeddings.{cls,register,mask}_token
//   pos_embed                                             embeddings.position_embeddings
//   patch_embed.proj.{weight,bias}                        embeddings.patch_embeddings.projection.*
//   blocks.{i}.norm1 / norm2                              encoder.layer.{i}.norm1 / norm2
//   blocks.{i}.attn.qkv  [3D, D] and [3D]                 encoder.layer.{i}.attention.attention.
//                                                           {query,key,value}  [D, D] and [D]
//   blocks.{i}.attn.proj                                  encoder.layer.{i}.attention.output.dense
//   blocks.{i}.ls1.gamma / ls2.gamma                      encoder.layer.{i}.layer_scale{1,2}.lambda1
//   blocks.{i}.mlp.fc1 / fc2                              encoder.layer.{i}.mlp.fc1 / fc2
//   norm.{weight,bias}                                    layernorm.{weight,bias}
//
// The fused qkv holds the query rows first, then key, then value: converting concatenates
// (or splits) along dim 0 in that order. The number of blocks is read from the names.
//
// Both directions are strict: the input must hold exactly the names of a DINOv2 encoder
// with some number of blocks. Otherwise one dn::Error lists every missing and every
// unexpected name.
#pragma once
#include "tensor/io/named_tensors.h"

namespace dn::models {

using io::TensorMap;

// HuggingFace names -> original DINOv2 names (q, k, v fused into qkv).
TensorMap dinov2_from_hf(const TensorMap& hf);
// Original DINOv2 names -> HuggingFace names (qkv split into views of q, k, v).
TensorMap dinov2_to_hf(const TensorMap& original);

}  // namespace dn::models
