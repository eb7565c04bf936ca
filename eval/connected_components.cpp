// Two-pass labelling with union-find.
//
// Pass 1 scans the mask in raster order. A foreground pixel looks at the neighbours that
// the scan has already visited (west, north-west, north, north-east for 8-connectivity;
// west and north for 4). With none labelled it opens a new provisional label; otherwise it
// takes one of theirs and records that all their labels belong to the same region (a
// union). One scan can meet a region as several provisional labels, e.g. the two arms of
// a "U" that only join at the bottom, which is why the unions are needed.
// Pass 2 replaces every provisional label by its set's final number, handing out numbers
// in the order in which the scan first meets each set.
#include "eval/connected_components.h"

#include "tensor/error.h"

namespace dn::eval {

namespace {

// Disjoint sets over provisional labels 1..n (index 0 unused).
class DisjointSets {
 public:
  int32_t make() {
    parent_.push_back(int32_t(parent_.size()));
    return parent_.back();
  }
  int32_t find(int32_t x) {
    int32_t root = x;
    while (parent_[root] != root) root = parent_[root];
    while (parent_[x] != root) {  // path compression: point everything at the root
      int32_t next = parent_[x];
      parent_[x] = root;
      x = next;
    }
    return root;
  }
  void unite(int32_t a, int32_t b) {
    a = find(a);
    b = find(b);
    if (a < b) parent_[b] = a;  // the smaller label stays the root
    else if (b < a) parent_[a] = b;
  }
  size_t size() const { return parent_.size(); }

 private:
  std::vector<int32_t> parent_{0};
};

}  // namespace

RegionLabels label_regions(std::span<const uint8_t> mask, int height, int width,
                           Connectivity connectivity) {
  DN_CHECK(height >= 0 && width >= 0 && mask.size() == size_t(height) * size_t(width),
           "label_regions: mask has ", mask.size(), " pixels, expected ", height, "x", width);
  RegionLabels out;
  out.labels.assign(mask.size(), 0);
  std::vector<int32_t>& lab = out.labels;
  DisjointSets sets;
  const bool diagonals = connectivity == Connectivity::eight;

  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      size_t i = size_t(y) * width + x;
      if (mask[i] == 0) continue;
      // Labels of the already-visited neighbours (0 where background or outside).
      int32_t seen[4] = {0, 0, 0, 0};
      if (x > 0) seen[0] = lab[i - 1];
      if (y > 0) {
        seen[1] = lab[i - width];
        if (diagonals && x > 0) seen[2] = lab[i - width - 1];
        if (diagonals && x + 1 < width) seen[3] = lab[i - width + 1];
      }
      int32_t chosen = 0;
      for (int32_t l : seen) {
        if (l == 0) continue;
        if (chosen == 0) chosen = l;
        else sets.unite(chosen, l);
      }
      lab[i] = chosen != 0 ? chosen : sets.make();
    }
  }

  std::vector<int32_t> final_number(sets.size(), 0);
  for (int32_t& l : lab) {
    if (l == 0) continue;
    int32_t root = sets.find(l);
    if (final_number[root] == 0) final_number[root] = ++out.count;
    l = final_number[root];
  }
  return out;
}

}  // namespace dn::eval
