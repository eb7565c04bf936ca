// The frozen encoder's outputs kept per training image, an option of training
// (train --cache-encoder, bench --cache-encoder).
//
// Dinomaly trains without augmentation, so what the frozen encoder makes of an image (the
// fused target layers and the encoder groups, EncodedBatch) never changes: after the first
// epoch it can be looked up instead of recomputed. For ViT-S the encoder is about a third of
// a training step's arithmetic. The cost is memory: (T + groups·h·w)·D floats per image,
// 1.13 MB at crop 224 and 3.45 MB at crop 392 for ViT-S (bytes_per_image). Images are kept in
// the order they are first seen until `max_bytes` is reached; the images after that are
// encoded again each time they come (alone, not with the cached ones of their batch).
//
// It changes what a step costs, not what it computes: an image's encoder outputs do not depend
// on the other images of its batch (every op of the encoder works per image, and the CPU
// GEMM's summation order depends only on the sizes it is given, never on the number of rows,
// tensor/cpu/sgemm_blocked.h), so a batch assembled from the cache holds the same float32
// values, bit for bit, as the encoder run on the whole batch.
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
  // training set: its identity, whatever its position in the batch). The images not cached
  // go through model.encode together, and are kept while room lasts.
  EncodedBatch get(Dinomaly& model, const Tensor& images, const std::vector<int64_t>& keys);

  // What one image's entry holds, in bytes, for a model and input side: (T + groups·h·w)·D
  // float32 values, T = 1 + registers + h·w tokens.
  static size_t bytes_per_image(const DinomalyConfig& config, int64_t crop);

  size_t bytes() const { return bytes_; }
  int64_t images() const { return int64_t(entries_.size()); }  // images kept
  int64_t hits() const { return hits_; }      // images served from the cache
  int64_t misses() const { return misses_; }  // images that went through the encoder

 private:
  struct Entry {
    Tensor fused;            // [T, D]
    std::vector<Tensor> en;  // per group [D, h, w]
  };
  size_t max_bytes_, bytes_ = 0;
  bool full_ = false;  // an image did not fit: none after it is kept
  int64_t hits_ = 0, misses_ = 0;
  std::unordered_map<int64_t, Entry> entries_;
};

}  // namespace dn::models
