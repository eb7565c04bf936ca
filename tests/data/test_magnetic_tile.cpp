// The real magnetic-tile set (../shared/data/magnetic_tile, reached through DN_SHARED_DATA):
// counts, mask pairing, and bit-exact preprocessing of every image and mask against
// Pillow's (hashes in tests/fixtures/data/magnetic_tile.txt, made by generate.py).
// Skipped with a message when the folder is absent.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "data/dataset.h"
#include "data/files.h"
#include "data/loader.h"
#include "data/transforms.h"
#include "fixtures.h"
#include "tests/support/skip.h"

using namespace dn::data;
using namespace dn::data::test;

namespace {

std::string magnetic_tile_root() {
  const std::string root = shared_data("magnetic_tile");
  if (root.empty() || !is_directory(root)) {
    return "";
  }
  return root;
}

}  // namespace

TEST_CASE("magnetic tile: 762 training images, 582 test images, 392 masks, each paired" * doctest::test_suite("shared-data")) {
  const std::string root = magnetic_tile_root();
  if (root.empty()) DN_SKIP("no magnetic-tile data under DN_SHARED_DATA (../shared/data)");
  const Dataset ds = open_dataset(root);
  CHECK(ds.layout == Layout::mvtec);
  CHECK(ds.classes == std::vector<std::string>{"magnetic_tile"});
  CHECK(ds.train.size() == 762);
  CHECK(ds.test.size() == 582);
  CHECK(ds.test.count_label(0) == 190);
  CHECK(ds.test.count_label(1) == 392);
  CHECK(ds.test.has_masks);
  std::map<std::string, int> per_defect;
  for (const auto& s : ds.test.samples) {
    ++per_defect[s.defect];
    if (s.label == 0) {
      CHECK(s.mask_path.empty());
      continue;
    }
    CHECK(file_stem(s.mask_path) == file_stem(s.image_path) + "_mask");
    CHECK(s.mask_path.find("/ground_truth/" + s.defect + "/") != std::string::npos);
  }
  CHECK(per_defect == std::map<std::string, int>{{"blowhole", 115}, {"break", 85}, {"crack", 57},
                                                 {"fray", 32}, {"good", 190}, {"uneven", 103}});
}

TEST_CASE("magnetic tile: decode + Resize(448) + CenterCrop(392) equal Pillow's bytes for every file" * doctest::test_suite("shared-data")) {
  const std::string root = magnetic_tile_root();
  if (root.empty()) DN_SKIP("no magnetic-tile data under DN_SHARED_DATA (../shared/data)");
  const auto lines = read_lines(fixture("magnetic_tile.txt"));
  REQUIRE(lines.size() == 762 + 582 + 392);
  size_t differing_files = 0;
  for (const auto& line : lines) {
    std::istringstream is(line);
    std::string rel, expected;
    int w, h;
    is >> rel >> w >> h >> expected;
    const bool mask = rel.rfind("ground_truth/", 0) == 0;
    const Image decoded = mask ? read_image(root + "/" + rel, 1) : drop_alpha(read_image(root + "/" + rel, 0));
    const Image out = resize_and_crop(decoded, Preprocess{});
    if (crc32_hex(out.pixels.data(), out.pixels.size()) != expected) {
      ++differing_files;
      MESSAGE("differs from Pillow: ", rel);
    }
    CHECK(decoded.width == w);
    CHECK(decoded.height == h);
  }
  CHECK(differing_files == 0);
}

TEST_CASE("magnetic tile: the loader feeds whole batches of the real set" * doctest::test_suite("shared-data")) {
  const std::string root = magnetic_tile_root();
  if (root.empty()) DN_SKIP("no magnetic-tile data under DN_SHARED_DATA (../shared/data)");
  const Dataset ds = open_dataset(root);
  Loader loader(ds.test.only_class("magnetic_tile"), Preprocess{}, {.batch_size = 16});
  Batch b;
  REQUIRE(loader.next(b));
  CHECK(b.images.shape() == dn::Shape{16, 3, 392, 392});
  CHECK(b.masks.defined());
  CHECK(loader.batches_per_epoch() == 37);
}
