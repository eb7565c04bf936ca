#include "models/encoder_cache.h"

#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn::models {

EncodedBatch EncoderCache::get(Dinomaly& model, const Tensor& images, const std::vector<int64_t>& keys) {
  DN_CHECK(int64_t(keys.size()) == images.size(0), "encoder cache: ", keys.size(), " keys for a batch of ",
           images.size(0), " images");
  bool all_cached = !keys.empty();
  for (int64_t k : keys) all_cached = all_cached && entries_.count(k) > 0;
  if (all_cached) {
    ++hits_;
    std::vector<Tensor> fused;
    std::vector<std::vector<Tensor>> groups;
    for (int64_t k : keys) {
      const Entry& e = entries_.at(k);
      fused.push_back(e.fused);
      groups.resize(e.en.size());
      for (size_t g = 0; g < e.en.size(); ++g) groups[g].push_back(e.en[g]);
    }
    EncodedBatch out;
    out.fused = kernel::contiguous(stack(fused, 0));
    for (const auto& g : groups) out.en.push_back(kernel::contiguous(stack(g, 0)));
    return out;
  }
  ++misses_;
  EncodedBatch out = model.encode(images);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (entries_.count(keys[i])) continue;
    Entry e;
    size_t size = 0;
    e.fused = kernel::clone(kernel::squeeze(kernel::narrow(out.fused, 0, int64_t(i), 1), 0));
    size += size_t(e.fused.numel()) * dtype_size(e.fused.dtype());
    for (const Tensor& g : out.en) {
      e.en.push_back(kernel::clone(kernel::squeeze(kernel::narrow(g, 0, int64_t(i), 1), 0)));
      size += size_t(e.en.back().numel()) * dtype_size(g.dtype());
    }
    if (bytes_ + size > max_bytes_) break;
    bytes_ += size;
    entries_.emplace(keys[i], std::move(e));
  }
  return out;
}

}  // namespace dn::models
