// The loader: decodes and preprocesses batches on worker threads, ahead of the consumer.
//
//   Loader loader(dataset.train, Preprocess{}, {.batch_size = 16, .shuffle = true,
//                                               .drop_last = true, .seed = 1, .epochs = 0});
//   for (Batch b; step < 10000 && loader.next(b); ++step) train_step(b.images);
//
//   Loader eval(dataset.test, Preprocess{}, {.batch_size = 8});   // in order, one pass
//   for (Batch b; eval.next(b);) score(b.images, b.masks, b.labels);
//
// Workers take whole batches (a batch's decode + resize + crop + normalise is written
// straight into its tensors) and put them into a queue of at most `prefetch` finished
// batches; next() hands them out in order. The bound keeps memory flat and lets the
// workers sleep while the training step runs. Errors on a worker reach the consumer:
// next() rethrows them, naming the file.
//
// There is no augmentation in Dinomaly, so a sample's tensors never change: with `cache`,
// the first decode of each sample keeps its cropped uint8 pixels (image and mask), and
// later epochs only normalise (4x less memory than caching floats, same values).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "data/dataset.h"
#include "data/image.h"
#include "data/sampler.h"
#include "data/transforms.h"
#include "tensor/tensor.h"

namespace dn::data {

struct LoaderOptions {
  int64_t batch_size = 16;
  bool shuffle = false;
  bool drop_last = false;
  uint64_t seed = 1;          // the run seed; the shuffle derives its own stream from it
  int64_t epochs = 1;         // passes over the data; 0 = endless (training by steps)
  int64_t start_batch = 0;    // skip to this global batch (resuming a run)
  int workers = 2;            // decoding threads
  int prefetch = 4;           // finished batches waiting at most
  bool cache = false;         // keep preprocessed bytes of every sample after first use
  bool load_masks = true;     // give masks when the set has them
  bool skip_corrupt = false;  // warn and leave out unreadable images instead of failing
};

// An image left out by skip_corrupt, and why.
struct SkippedImage {
  std::string path, reason;
};

struct Batch {
  Tensor images;                    // float32 [B, 3, C, C], normalised
  Tensor masks;                     // float32 [B, 1, C, C] in [0, 1]; undefined without masks
  Tensor labels;                    // int64 [B]: 0 normal, 1 anomalous
  std::vector<int64_t> indices;     // positions of the samples in the SampleSet
  std::vector<std::string> paths, classes, defects;
  int64_t epoch = 0;                // 0-based
  int64_t number = 0;               // global batch number, counting from 0 across epochs

  int64_t size() const { return int64_t(indices.size()); }
};

class Loader {
 public:
  // Throws dn::Error for an empty set, a batch size below 1, or drop_last with fewer
  // samples than one batch.
  Loader(SampleSet samples, Preprocess preprocess, LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // The next batch, in order; false when the requested epochs are done.
  bool next(Batch& batch);

  int64_t batches_per_epoch() const { return plan_.batches_per_epoch(); }
  const SampleSet& samples() const { return samples_; }
  const Preprocess& preprocess() const { return preprocess_; }
  // Bytes held by the cache so far.
  size_t cache_bytes() const;
  // The images skipped as unreadable so far (skip_corrupt), in the order of the samples.
  std::vector<SkippedImage> skipped() const;

 private:
  struct Prepared {  // one sample after resize + crop, before normalisation
    Image image;     // 1 (gray) or 3 channels
    Image mask;      // 1 channel; empty when the sample has no mask
  };
  struct Slot {
    Batch batch;
    std::exception_ptr error;
  };

  void work();
  Slot build(int64_t number);
  std::shared_ptr<const Prepared> prepare(int64_t index);
  const std::vector<int64_t>& order_of(int64_t epoch);  // caller holds mutex_
  bool finished(int64_t number) const;

  SampleSet samples_;
  Preprocess preprocess_;
  LoaderOptions options_;
  BatchPlan plan_;
  bool with_masks_ = false;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int64_t next_to_build_ = 0, next_to_deliver_ = 0;
  std::map<int64_t, Slot> ready_;
  std::map<int64_t, std::vector<int64_t>> orders_;  // epoch -> order (recent epochs only)
  bool stopping_ = false;

  mutable std::mutex cache_mutex_;
  std::vector<std::shared_ptr<const Prepared>> cache_;
  std::vector<bool> bad_;  // samples skipped as unreadable (skip_corrupt)
  std::map<int64_t, std::string> bad_reasons_;
  size_t cache_bytes_ = 0;

  std::vector<std::thread> threads_;
};

}  // namespace dn::data
