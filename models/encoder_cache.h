// The frozen encoder's outputs kept per training image, an option of training.
//
// Dinomaly trains without augmentation, so what the frozen encoder makes of an image (the
// fused target layers and the encoder groups, EncodedBatch) never changes: after the first
// epoch it can be looked up instead of recomputed. For ViT-S the encoder is about a third of
// a training step's arithmetic. The cost is memory: (T + groups·h·w)·D floats per image,
// 1.2 MB at crop 224 and 3.6 MB at crop 392 for ViT-S; images past `max_bytes` are simply
// not kept. It changes what a step costs, not what it computes (the same float32 values).
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/dinomaly.h"

namespace dn::models {

class EncoderCache {
 public:
  explicit EncoderCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The encoder outputs of a batch of images; keys[i] names image i (its index in the
  // training set, say). When every key is cached the encoder does not run; otherwise the
  // whole batch goes through model.encode and the new images are kept while room lasts.
  EncodedBatch get(Dinomaly& model, const Tensor& images, const std::vector<int64_t>& keys);

  size_t bytes() const { return bytes_; }
  int64_t hits() const { return hits_; }      // batches served from the cache
  int64_t misses() const { return misses_; }  // batches that ran the encoder

 private:
  struct Entry {
    Tensor fused;            // [T, D]
    std::vector<Tensor> en;  // per group [D, h, w]
  };
  size_t max_bytes_, bytes_ = 0;
  int64_t hits_ = 0, misses_ = 0;
  std::unordered_map<int64_t, Entry> entries_;
};

}  // namespace dn::models
