// The loader's threads and queue; see loader.h for the design.
#include "data/loader.h"

#include <cstdio>
#include <cstring>

#include "tensor/error.h"

namespace dn::data {

Loader::Loader(SampleSet samples, Preprocess preprocess, LoaderOptions options)
    : samples_(std::move(samples)), preprocess_(preprocess), options_(options) {
  preprocess_.validate();
  DN_CHECK(!samples_.empty(), "loader: the data set has no images");
  DN_CHECK(options_.batch_size >= 1, "loader: batch size must be at least 1, got ", options_.batch_size);
  DN_CHECK(options_.workers >= 0 && options_.prefetch >= 1, "loader: workers (", options_.workers,
           ") must be >= 0 and prefetch (", options_.prefetch, ") >= 1");
  DN_CHECK(options_.epochs >= 0 && options_.start_batch >= 0, "loader: epochs and start_batch must be >= 0");
  plan_ = BatchPlan{int64_t(samples_.size()), options_.batch_size, options_.drop_last};
  DN_CHECK(plan_.batches_per_epoch() >= 1, "loader: ", samples_.size(), " images is fewer than one batch of ",
           options_.batch_size, " with drop_last; lower the batch size");
  with_masks_ = options_.load_masks && samples_.has_masks;
  if (options_.cache) cache_.resize(samples_.size());
  bad_.assign(samples_.size(), false);
  next_to_build_ = next_to_deliver_ = options_.start_batch;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

bool Loader::finished(int64_t number) const {
  return options_.epochs > 0 && number >= options_.epochs * plan_.batches_per_epoch();
}

size_t Loader::cache_bytes() const {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  return cache_bytes_;
}

std::vector<SkippedImage> Loader::skipped() const {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  std::vector<SkippedImage> out;
  for (const auto& [index, reason] : bad_reasons_) out.push_back({samples_.samples[size_t(index)].image_path, reason});
  return out;
}

const std::vector<int64_t>& Loader::order_of(int64_t epoch) {
  auto it = orders_.find(epoch);
  if (it != orders_.end()) return it->second;
  // Workers build at most `prefetch` batches ahead, so only the last two epochs are read.
  while (!orders_.empty() && orders_.begin()->first < epoch - 1) orders_.erase(orders_.begin());
  std::vector<int64_t> order;
  if (options_.shuffle) {
    order = shuffled_order(int64_t(samples_.size()), options_.seed, epoch);
  } else {
    order.resize(samples_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = int64_t(i);
  }
  return orders_.emplace(epoch, std::move(order)).first->second;
}

std::shared_ptr<const Loader::Prepared> Loader::prepare(int64_t index) {
  if (options_.cache) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_[size_t(index)]) return cache_[size_t(index)];
  }
  const Sample& s = samples_.samples[size_t(index)];
  auto p = std::make_shared<Prepared>();
  // Gray stays one channel through the resize (see drop_alpha); normalisation replicates it.
  const Image image = drop_alpha(read_image(s.image_path, 0));
  p->image = resize_and_crop(image, preprocess_);
  if (with_masks_ && !s.mask_path.empty()) {
    const Image mask = read_image(s.mask_path, 1);
    if (mask.width != image.width || mask.height != image.height)
      fail("mask '", s.mask_path, "' is ", mask.width, "x", mask.height, " but its image '", s.image_path,
           "' is ", image.width, "x", image.height);
    p->mask = resize_and_crop(mask, preprocess_);
  }
  if (options_.cache) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (!cache_[size_t(index)]) {
      cache_[size_t(index)] = p;
      cache_bytes_ += p->image.pixels.size() + p->mask.pixels.size();
    }
  }
  return p;
}

Loader::Slot Loader::build(int64_t number) {
  Slot slot;
  try {
    std::vector<int64_t> wanted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto& order = order_of(plan_.epoch_of(number));
      wanted.assign(order.begin() + plan_.begin_of(number), order.begin() + plan_.end_of(number));
    }
    std::vector<std::shared_ptr<const Prepared>> prepared;
    Batch& b = slot.batch;
    for (int64_t index : wanted) {
      {
        std::lock_guard<std::mutex> lock(cache_mutex_);
        if (bad_[size_t(index)]) continue;
      }
      try {
        prepared.push_back(prepare(index));
      } catch (const Error& e) {
        if (!options_.skip_corrupt) throw;
        std::lock_guard<std::mutex> lock(cache_mutex_);
        if (!bad_[size_t(index)]) std::fprintf(stderr, "warning: skipping an unreadable image: %s\n", e.what());
        bad_[size_t(index)] = true;
        bad_reasons_.emplace(index, e.what());
        continue;
      }
      const Sample& s = samples_.samples[size_t(index)];
      b.indices.push_back(index);
      b.paths.push_back(s.image_path);
      b.classes.push_back(s.class_name);
      b.defects.push_back(s.defect);
    }
    b.epoch = plan_.epoch_of(number);
    b.number = number;
    const int64_t n = b.size(), c = preprocess_.crop;
    std::vector<int64_t> labels;
    for (int64_t index : b.indices) labels.push_back(samples_.samples[size_t(index)].label);
    b.labels = from_vector<int64_t>(labels, {n});
    b.images = empty({n, 3, c, c}, DType::f32);
    float* images = b.images.data<float>();
    for (int64_t i = 0; i < n; ++i) normalize_to_planes(prepared[size_t(i)]->image, preprocess_, images + i * 3 * c * c);
    if (with_masks_) {
      b.masks = empty({n, 1, c, c}, DType::f32);
      float* masks = b.masks.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        if (prepared[size_t(i)]->mask.pixels.empty())
          std::memset(masks + i * c * c, 0, sizeof(float) * size_t(c * c));  // a normal image
        else
          mask_to_floats(prepared[size_t(i)]->mask, masks + i * c * c);
      }
    }
  } catch (...) {
    slot.error = std::current_exception();
  }
  return slot;
}

void Loader::work() {
  for (;;) {
    int64_t number;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ ||
               (!finished(next_to_build_) && next_to_build_ < next_to_deliver_ + options_.prefetch);
      });
      if (stopping_) return;
      number = next_to_build_++;
    }
    Slot slot = build(number);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(number, std::move(slot));
    }
    changed_.notify_all();
  }
}

bool Loader::next(Batch& batch) {
  int64_t empty_in_a_row = 0;
  for (;;) {
    Slot slot;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (finished(next_to_deliver_)) return false;
      const int64_t number = next_to_deliver_;
      if (threads_.empty()) {  // no workers: build here, in order
        ++next_to_build_;
        lock.unlock();
        slot = build(number);
        lock.lock();
      } else {
        changed_.wait(lock, [&] { return ready_.count(number) > 0; });
        slot = std::move(ready_[number]);
        ready_.erase(number);
      }
      ++next_to_deliver_;
    }
    changed_.notify_all();
    if (slot.error) std::rethrow_exception(slot.error);
    if (slot.batch.size() == 0) {  // every image of this batch was skipped as unreadable
      if (++empty_in_a_row > plan_.batches_per_epoch())
        fail("loader: every image of the data set is unreadable");
      continue;
    }
    batch = std::move(slot.batch);
    return true;
  }
}

}  // namespace dn::data
