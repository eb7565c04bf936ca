// Pairing test images with their masks. The reference sorts the images of a defect folder
// and, separately, the masks of the matching ground_truth folder, and pairs them by
// position: one missing mask silently shifts every later pair onto the wrong image, and
// names that sort differently with and without "_mask" ("1.png", "10.png" against
// "10_mask.png", "1_mask.png") pair wrongly even when nothing is missing. We pair by name
// instead, which gives the reference's pairs whenever those are right, and we require a
// one-to-one match: an image without a mask, or a mask without an image, is an error.
#include <algorithm>
#include <map>

#include "data/datasets/layouts.h"
#include "data/files.h"
#include "data/image.h"
#include "tensor/error.h"

namespace dn::data::detail {
namespace {

// The image stem a mask belongs to: "000_mask" -> "000", "000" -> "000".
std::string owner_stem(const std::string& mask_path) {
  const std::string stem = file_stem(mask_path);
  const std::string suffix = "_mask";
  if (stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
    return stem.substr(0, stem.size() - suffix.size());
  return stem;
}

}  // namespace

std::vector<std::string> pair_masks(const std::vector<std::string>& images, const std::string& mask_dir) {
  if (images.empty()) return {};
  if (!is_directory(mask_dir))
    fail("missing mask folder '", mask_dir, "' for the anomalous image '", images.front(),
         "' (and ", images.size() - 1, " more): expected ",
         join_path(mask_dir, file_stem(images.front()) + "_mask.png"));
  std::map<std::string, std::string> by_owner;
  for (const auto& m : list_image_files(mask_dir)) {
    auto [it, inserted] = by_owner.emplace(owner_stem(m), m);
    if (!inserted) fail("masks '", it->second, "' and '", m, "' both claim the image '", it->first, "'");
  }
  std::vector<std::string> masks;
  masks.reserve(images.size());
  for (const auto& img : images) {
    auto it = by_owner.find(file_stem(img));
    if (it == by_owner.end())
      fail("missing mask for '", img, "': expected ", join_path(mask_dir, file_stem(img) + "_mask.png"),
           " (or ", file_stem(img), ".png)");
    masks.push_back(it->second);
    by_owner.erase(it);
  }
  if (!by_owner.empty())
    fail("mask '", by_owner.begin()->second, "' has no test image named '", by_owner.begin()->first,
         ".*' beside the others of its defect (", images.size(), " images, ",
         images.size() + by_owner.size(), " masks)");
  return masks;
}

void check_mask_size(const std::string& image_path, const std::string& mask_path) {
  const ImageInfo image = read_image_info(image_path);
  const ImageInfo mask = read_image_info(mask_path);
  if (image.width != mask.width || image.height != mask.height)
    fail("mask '", mask_path, "' is ", mask.width, "x", mask.height, " but its image '", image_path,
         "' is ", image.width, "x", image.height);
}

bool masks_complete(const std::vector<Sample>& samples) {
  const bool any_anomalous = std::any_of(samples.begin(), samples.end(), [](const Sample& s) { return s.label == 1; });
  return any_anomalous && std::all_of(samples.begin(), samples.end(),
                                      [](const Sample& s) { return s.label == 0 || !s.mask_path.empty(); });
}

}  // namespace dn::data::detail
