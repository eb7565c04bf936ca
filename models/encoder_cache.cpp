#include "models/encoder_cache.h"

#include "autograd/functions.h"
#include "tensor/ops.h"

namespace dn::models {

size_t EncoderCache::bytes_per_image(const DinomalyConfig& c, int64_t crop) {
  const int64_t side = crop / c.encoder.patch, tokens = 1 + c.encoder.registers + side * side;
  const int64_t groups = int64_t(c.encoder_groups().size());
  return size_t(tokens + groups * side * side) * size_t(c.encoder.dim) * sizeof(float);
}

EncodedBatch EncoderCache::get(Dinomaly& model, const Tensor& images, const std::vector<int64_t>& keys) {
  DN_CHECK(int64_t(keys.size()) == images.size(0), "encoder cache: ", keys.size(), " keys for a batch of ",
           images.size(0), " images");
  std::vector<int64_t> missing;  // positions in the batch
  for (size_t i = 0; i < keys.size(); ++i)
    if (!entries_.count(keys[i])) missing.push_back(int64_t(i));
  hits_ += int64_t(keys.size() - missing.size());
  misses_ += int64_t(missing.size());
  if (missing.size() == keys.size() && full_) return model.encode(images);  // nothing to keep or look up

  // The missing images, encoded together; row r of `fresh` is image missing[r].
  EncodedBatch fresh;
  if (!missing.empty()) {
    Tensor index = kernel::to(from_vector<int64_t>(missing, {int64_t(missing.size())}), images.device());
    fresh = model.encode(missing.size() == keys.size() ? images : kernel::index_select(images, 0, index));
  }
  auto row = [](const Tensor& t, int64_t r) { return kernel::squeeze(kernel::narrow(t, 0, r, 1), 0); };
  std::vector<Tensor> fused(keys.size());
  std::vector<std::vector<Tensor>> groups(fresh.en.size());
  for (auto& g : groups) g.resize(keys.size());
  for (size_t r = 0; r < missing.size(); ++r) {
    const size_t i = size_t(missing[r]);
    fused[i] = row(fresh.fused, int64_t(r));
    for (size_t g = 0; g < fresh.en.size(); ++g) groups[g][i] = row(fresh.en[g], int64_t(r));
    if (full_ || entries_.count(keys[i])) continue;  // (a key twice in one batch: kept once)
    Entry e;
    size_t size = size_t(fused[i].numel()) * dtype_size(fused[i].dtype());
    for (const auto& g : groups) size += size_t(g[i].numel()) * dtype_size(g[i].dtype());
    if (bytes_ + size > max_bytes_) {
      full_ = true;
      continue;
    }
    e.fused = kernel::clone(fused[i]);  // its own storage: the batch's is freed after the step
    for (const auto& g : groups) e.en.push_back(kernel::clone(g[i]));
    bytes_ += size;
    entries_.emplace(keys[i], std::move(e));
  }
  if (missing.size() == keys.size()) return fresh;  // the batch as the encoder gave it

  for (size_t i = 0; i < keys.size(); ++i) {
    if (fused[i].defined()) continue;
    const Entry& e = entries_.at(keys[i]);
    fused[i] = e.fused;
    if (groups.empty()) groups.resize(e.en.size(), std::vector<Tensor>(keys.size()));
    for (size_t g = 0; g < e.en.size(); ++g) groups[g][i] = e.en[g];
  }
  EncodedBatch out;
  out.fused = kernel::contiguous(stack(fused, 0));
  for (const auto& g : groups) out.en.push_back(kernel::contiguous(stack(g, 0)));
  return out;
}

}  // namespace dn::models
