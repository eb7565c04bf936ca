// A user's own folders: normal images to train on, and optionally test folders of normal
// and anomalous images with a folder of masks.
#include <map>
#include <set>

#include "data/datasets/layouts.h"
#include "data/files.h"
#include "tensor/error.h"

namespace dn::data {
namespace {

std::vector<std::string> images_of(const std::string& dir, const char* what) {
  if (!is_directory(dir)) fail(what, " '", dir, "' does not exist or is not a folder");
  std::vector<std::string> images = list_image_files(dir);
  if (images.empty()) fail(what, " '", dir, "' holds no images");
  return images;
}

// The masks of the anomalous images, per defect folder. A mask folder with a sub-folder
// named like a defect folder holds that defect's masks (as MVTec's ground_truth/<defect>/);
// otherwise the masks of all defect folders lie in the mask folder itself, where a name
// shared by two defect folders would be ambiguous, so it is an error.
std::vector<std::vector<std::string>> masks_for(const std::vector<std::string>& defect_dirs,
                                                const std::vector<std::vector<std::string>>& images,
                                                const std::string& mask_dir) {
  if (!is_directory(mask_dir)) fail("mask folder '", mask_dir, "' does not exist or is not a folder");
  std::vector<std::vector<std::string>> masks(defect_dirs.size());
  std::vector<std::string> flat;  // the images whose masks lie directly in mask_dir
  std::set<std::string> flat_stems;
  for (size_t d = 0; d < defect_dirs.size(); ++d) {
    const std::string own = join_path(mask_dir, base_name(defect_dirs[d]));
    if (is_directory(own)) {
      masks[d] = detail::pair_masks(images[d], own);
      continue;
    }
    for (const auto& img : images[d]) {
      if (!flat_stems.insert(file_stem(img)).second)
        fail("two anomalous images are named '", file_stem(img), ".*' (one is '", img, "'): masks in '",
             mask_dir, "' are matched by name, so names must be unique across the defect folders "
             "(or put each defect's masks in ", join_path(mask_dir, "<defect folder name>"), ")");
      flat.push_back(img);
    }
  }
  if (flat.empty()) return masks;
  const std::vector<std::string> paired = detail::pair_masks(flat, mask_dir);  // one-to-one, or an error
  std::map<std::string, std::string> mask_of;
  for (size_t i = 0; i < flat.size(); ++i) mask_of[flat[i]] = paired[i];
  for (size_t d = 0; d < defect_dirs.size(); ++d)
    if (masks[d].empty())
      for (const auto& img : images[d]) masks[d].push_back(mask_of.at(img));
  return masks;
}

}  // namespace

Dataset open_folder_dataset(const FolderSpec& spec, const DatasetOptions& options) {
  const bool any_test = !spec.test_normal_dirs.empty() || !spec.test_anomalous_dirs.empty();
  if (spec.train_dirs.empty() && !any_test)
    fail("folder data set: no folder of normal training images and no test folders given");
  Dataset ds;
  ds.root = !spec.train_dirs.empty() ? spec.train_dirs.front()
            : !spec.test_normal_dirs.empty() ? spec.test_normal_dirs.front() : spec.test_anomalous_dirs.front();
  ds.layout = Layout::folder;
  const std::string cls = spec.class_name.empty() ? base_name(ds.root) : spec.class_name;
  ds.classes = {cls};
  for (const auto& dir : spec.train_dirs)
    for (const auto& path : images_of(dir, "training folder"))
      ds.train.samples.push_back({path, "", cls, "good", 0});

  for (const auto& dir : spec.test_normal_dirs)
    for (const auto& path : images_of(dir, "test folder of normal images"))
      ds.test.samples.push_back({path, "", cls, "good", 0});
  std::vector<std::vector<std::string>> anomalous;
  for (const auto& dir : spec.test_anomalous_dirs) anomalous.push_back(images_of(dir, "defect folder"));
  std::vector<std::vector<std::string>> masks;
  if (!spec.mask_dir.empty() && !anomalous.empty()) masks = masks_for(spec.test_anomalous_dirs, anomalous, spec.mask_dir);
  for (size_t d = 0; d < anomalous.size(); ++d) {
    for (size_t i = 0; i < anomalous[d].size(); ++i) {
      Sample s{anomalous[d][i], masks.empty() ? "" : masks[d][i], cls, base_name(spec.test_anomalous_dirs[d]), 1};
      if (!s.mask_path.empty() && options.check_mask_sizes) detail::check_mask_size(s.image_path, s.mask_path);
      ds.test.samples.push_back(std::move(s));
    }
  }
  detail::finish_listed_dataset(ds);
  return ds;
}

}  // namespace dn::data
