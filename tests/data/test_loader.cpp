// The loader: batches equal the single-image transforms, the shuffle is deterministic and
// a permutation, epochs/drop_last/resume behave, worker count and cache change nothing,
// and unreadable images fail (or are skipped, when asked) with the file named.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "data/dataset.h"
#include "data/loader.h"
#include "fixtures.h"

using namespace dn::data;
using namespace dn::data::test;

namespace {

// A class of 10 training images (gray and RGB mixed, various sizes) and a test set with
// masks, written as PNG.
std::string make_set(const ScratchDir& root) {
  const std::string cls = root / "part";
  for (int i = 0; i < 10; ++i) {
    Image img = procedural(40 + 3 * i, 30 + i, i % 3 == 0 ? 1 : 3);
    for (auto& v : img.pixels) v = uint8_t(v * (i + 1));
    std::filesystem::create_directories(cls + "/train/good");
    write_png(cls + "/train/good/" + std::to_string(10 + i) + ".png", img);
  }
  std::filesystem::create_directories(cls + "/test/good");
  std::filesystem::create_directories(cls + "/test/dent");
  std::filesystem::create_directories(cls + "/ground_truth/dent");
  write_png(cls + "/test/good/0.png", procedural(50, 40, 3));
  for (int i = 0; i < 3; ++i) {
    write_png(cls + "/test/dent/" + std::to_string(i) + ".png", procedural(50 + i, 40, 3));
    Image m(50 + i, 40, 1);
    for (int y = 10; y < 20 + i; ++y)
      for (int x = 5; x < 30; ++x) m.pixels[size_t(y) * m.width + x] = 255;
    write_png(cls + "/ground_truth/dent/" + std::to_string(i) + "_mask.png", m);
  }
  return cls;
}

Preprocess small() {
  Preprocess p;
  p.resize = 36;
  p.crop = 32;
  return p;
}

std::vector<Batch> drain(Loader& loader, int64_t limit = 1000) {
  std::vector<Batch> out;
  for (Batch b; int64_t(out.size()) < limit && loader.next(b);) out.push_back(b);
  return out;
}

bool same_floats(const dn::Tensor& a, const dn::Tensor& b) {
  return a.numel() == b.numel() && std::memcmp(a.data<float>(), b.data<float>(), size_t(a.numel()) * 4) == 0;
}

}  // namespace

TEST_CASE("batches hold exactly the single-image preprocessing, in order") {
  ScratchDir root("loader");
  const Dataset ds = open_dataset(make_set(root));
  Loader loader(ds.test, small(), {.batch_size = 3});
  CHECK(loader.batches_per_epoch() == 2);
  const auto batches = drain(loader);
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].size() == 3);
  CHECK(batches[1].size() == 1);  // no drop_last: the short batch comes too
  int64_t position = 0;
  for (const auto& b : batches) {
    REQUIRE(b.masks.defined());
    CHECK(b.images.shape() == dn::Shape{b.size(), 3, 32, 32});
    CHECK(b.masks.shape() == dn::Shape{b.size(), 1, 32, 32});
    for (int64_t i = 0; i < b.size(); ++i, ++position) {
      const Sample& s = ds.test.samples[size_t(position)];
      CHECK(b.indices[size_t(i)] == position);
      CHECK(b.paths[size_t(i)] == s.image_path);
      CHECK(dn::to_vector<int64_t>(b.labels)[size_t(i)] == s.label);
      const dn::Tensor want = image_to_tensor(read_image(s.image_path, 3), small());
      CHECK(std::memcmp(b.images.data<float>() + i * 3 * 32 * 32, want.data<float>(), 3 * 32 * 32 * 4) == 0);
      const float* m = b.masks.data<float>() + i * 32 * 32;
      if (s.mask_path.empty()) {
        CHECK(std::all_of(m, m + 32 * 32, [](float v) { return v == 0.0f; }));
      } else {
        const dn::Tensor want_mask = mask_to_tensor(read_image(s.mask_path, 1), small());
        CHECK(std::memcmp(m, want_mask.data<float>(), 32 * 32 * 4) == 0);
      }
    }
  }
  // Training sets have no masks: the tensor is undefined.
  Loader train(ds.train, small(), {.batch_size = 4});
  Batch b;
  REQUIRE(train.next(b));
  CHECK_FALSE(b.masks.defined());
}

TEST_CASE("shuffling: a deterministic permutation per (seed, epoch)") {
  const auto a = shuffled_order(1000, 7, 0);
  CHECK(a == shuffled_order(1000, 7, 0));
  CHECK(a != shuffled_order(1000, 7, 1));
  CHECK(a != shuffled_order(1000, 8, 0));
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) CHECK(sorted[size_t(i)] == i);
  int fixed = 0;
  for (int64_t i = 0; i < 1000; ++i) fixed += a[size_t(i)] == i;
  CHECK(fixed < 10);  // a real shuffle (the expected number of fixed points is 1)
  // Positions are roughly uniform: where does element 0 land over many epochs?
  int first_half = 0;
  for (int64_t e = 0; e < 400; ++e) {
    const auto o = shuffled_order(10, 3, e);
    first_half += std::find(o.begin(), o.end(), 0) - o.begin() < 5;
  }
  CHECK(first_half > 150);
  CHECK(first_half < 250);
}

TEST_CASE("endless epochs, drop_last, resume, workers and cache change nothing") {
  ScratchDir root("loader2");
  const Dataset ds = open_dataset(make_set(root));
  LoaderOptions o{.batch_size = 4, .shuffle = true, .drop_last = true, .seed = 11, .epochs = 0};
  o.workers = 2;
  Loader endless(ds.train, small(), o);
  CHECK(endless.batches_per_epoch() == 2);
  const auto batches = drain(endless, 7);  // three and a half epochs
  REQUIRE(batches.size() == 7);
  for (int64_t k = 0; k < 7; ++k) {
    CHECK(batches[size_t(k)].number == k);
    CHECK(batches[size_t(k)].epoch == k / 2);
    CHECK(batches[size_t(k)].size() == 4);
  }
  // Each epoch: 8 distinct samples of the 10 (drop_last leaves 2 out), in the shuffled order.
  std::set<int64_t> epoch0(batches[0].indices.begin(), batches[0].indices.end());
  epoch0.insert(batches[1].indices.begin(), batches[1].indices.end());
  CHECK(epoch0.size() == 8);
  const auto order0 = shuffled_order(10, 11, 0);
  CHECK(std::equal(batches[0].indices.begin(), batches[0].indices.end(), order0.begin()));
  CHECK(batches[2].indices != batches[0].indices);

  // Same batches with no worker thread, with a cache, and when resuming at batch 5.
  LoaderOptions sync = o;
  sync.workers = 0;
  Loader direct(ds.train, small(), sync);
  LoaderOptions cached = o;
  cached.cache = true;
  cached.workers = 1;
  Loader with_cache(ds.train, small(), cached);
  const auto d = drain(direct, 7);
  const auto c = drain(with_cache, 7);
  CHECK(with_cache.cache_bytes() > 0);
  for (size_t k = 0; k < 7; ++k) {
    CHECK(d[k].indices == batches[k].indices);
    CHECK(c[k].indices == batches[k].indices);
    CHECK(same_floats(d[k].images, batches[k].images));
    CHECK(same_floats(c[k].images, batches[k].images));
  }
  LoaderOptions resume = o;
  resume.start_batch = 5;
  Loader resumed(ds.train, small(), resume);
  Batch r;
  REQUIRE(resumed.next(r));
  CHECK(r.number == 5);
  CHECK(r.indices == batches[5].indices);
  CHECK(same_floats(r.images, batches[5].images));

  // Two epochs, in order: every sample twice.
  Loader twice(ds.train, small(), {.batch_size = 3, .epochs = 2});
  int64_t count = 0;
  for (const auto& b : drain(twice)) count += b.size();
  CHECK(count == 20);
}

TEST_CASE("loader bad input: corrupt images fail naming the file, or are skipped when asked") {
  ScratchDir root("loader3");
  const Dataset ds = open_dataset(make_set(root));
  CHECK_THROWS_WITH_AS(Loader(SampleSet{}, small(), {}), doctest::Contains("no images"), dn::Error);
  CHECK_THROWS_WITH_AS(Loader(ds.train, small(), {.batch_size = 11, .drop_last = true}),
                       doctest::Contains("fewer than one batch"), dn::Error);
  Preprocess wrong = small();
  wrong.crop = 99;
  CHECK_THROWS_AS(Loader(ds.train, wrong, {}), dn::Error);

  // Truncate one training image after the data set was opened.
  const std::string victim = ds.train.samples[3].image_path;
  auto bytes = read_bytes(victim);
  write_raw(victim, std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(bytes.size() / 2)));
  Loader strict(ds.train, small(), {.batch_size = 2});
  std::string error;
  try {
    for (Batch b; strict.next(b);) {
    }
  } catch (const dn::Error& e) {
    error = e.what();
  }
  CHECK(error.find(victim) != std::string::npos);

  Loader lenient(ds.train, small(), {.batch_size = 2, .skip_corrupt = true});
  int64_t count = 0;
  for (const auto& b : drain(lenient)) {
    count += b.size();
    CHECK(std::find(b.paths.begin(), b.paths.end(), victim) == b.paths.end());
  }
  CHECK(count == 9);

  // A mask whose size differs, found at load time when the data set skipped the check.
  const std::string mask = ds.test.samples[2].mask_path;
  write_png(mask, Image(7, 7, 1));
  Loader masks(ds.test, small(), {.batch_size = 4});
  std::string mask_error;
  try {
    for (Batch b; masks.next(b);) {
    }
  } catch (const dn::Error& e) {
    mask_error = e.what();
  }
  CHECK(mask_error.find(mask) != std::string::npos);
  CHECK(mask_error.find("7x7") != std::string::npos);
}
