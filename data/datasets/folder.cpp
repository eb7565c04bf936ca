// A user's own folders: normal images to train on, and optionally test folders.
#include "data/datasets/layouts.h"
#include "data/files.h"
#include "tensor/error.h"

namespace dn::data {

Dataset open_folder_dataset(const FolderSpec& spec, const DatasetOptions& options) {
  if (spec.train_dir.empty()) fail("folder data set: no folder of normal training images given");
  if (!is_directory(spec.train_dir)) fail("folder data set: '", spec.train_dir, "' does not exist or is not a folder");
  Dataset ds;
  ds.root = spec.train_dir;
  ds.layout = Layout::folder;
  const std::string cls = spec.class_name.empty() ? base_name(spec.train_dir) : spec.class_name;
  ds.classes = {cls};
  for (const auto& path : list_image_files(spec.train_dir)) ds.train.samples.push_back({path, "", cls, "good", 0});
  if (ds.train.empty())
    fail("folder data set: '", spec.train_dir, "' holds no images (png, jpg, jpeg or bmp)");

  for (const auto& dir : spec.test_normal_dirs)
    for (const auto& path : list_image_files(dir)) ds.test.samples.push_back({path, "", cls, "good", 0});
  for (const auto& dir : spec.test_anomalous_dirs) {
    const auto images = list_image_files(dir);
    std::vector<std::string> masks;
    if (!spec.mask_dir.empty()) masks = detail::pair_masks(images, spec.mask_dir);
    for (size_t i = 0; i < images.size(); ++i) {
      Sample s{images[i], masks.empty() ? "" : masks[i], cls, base_name(dir), 1};
      if (!s.mask_path.empty() && options.check_mask_sizes) detail::check_mask_size(s.image_path, s.mask_path);
      ds.test.samples.push_back(std::move(s));
    }
  }
  ds.train.classes = ds.test.classes = ds.classes;
  ds.test.has_masks = detail::masks_complete(ds.test.samples);
  return ds;
}

}  // namespace dn::data
