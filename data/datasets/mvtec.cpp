// One class folder in MVTec-AD layout (also MPDD, BTAD and converted VisA):
//   train/good/*          normal training images ("ok" in BTAD)
//   test/<defect>/*       test images; "good"/"ok" normal, every other folder anomalous
//   ground_truth/<defect>/<stem>_mask.png   (or <stem>.png / .bmp) masks, optional
#include "data/datasets/layouts.h"
#include "data/files.h"
#include "tensor/error.h"

namespace dn::data::detail {

bool is_normal_folder_name(const std::string& name) { return name == "good" || name == "ok"; }

bool is_mvtec_class_dir(const std::string& dir) {
  return is_directory(join_path(dir, "train")) || is_directory(join_path(dir, "test"));
}

namespace {

// The normal-image folder under `split_dir` (train/ or test/): good/ or ok/, "" if none.
std::string normal_folder(const std::string& split_dir) {
  for (const char* name : {"good", "ok"})
    if (is_directory(join_path(split_dir, name))) return join_path(split_dir, name);
  return "";
}

void read_train(const std::string& class_dir, const std::string& class_name, SampleSet& train) {
  const std::string train_dir = join_path(class_dir, "train");
  if (!is_directory(train_dir)) fail("class '", class_name, "': no training folder '", train_dir, "'");
  const std::string good = normal_folder(train_dir);
  if (good.empty())
    fail("class '", class_name, "': no folder of normal training images '",
         join_path(train_dir, "good"), "' (or 'ok')");
  const auto images = list_image_files(good);
  if (images.empty())
    fail("class '", class_name, "': the training folder '", good,
         "' holds no images (png, jpg, jpeg, bmp, tif or tiff)");
  for (const auto& path : images) train.samples.push_back({path, "", class_name, "good", 0});
}

void read_test(const std::string& class_dir, const std::string& class_name, const DatasetOptions& options,
               SampleSet& test, bool has_ground_truth) {
  const std::string test_dir = join_path(class_dir, "test");
  if (!is_directory(test_dir)) return;  // a training-only class: allowed
  const std::string gt_dir = join_path(class_dir, "ground_truth");
  for (const auto& defect : list_subdirectories(test_dir)) {
    const auto images = list_image_files(join_path(test_dir, defect));
    if (is_normal_folder_name(defect)) {
      for (const auto& path : images) test.samples.push_back({path, "", class_name, "good", 0});
      continue;
    }
    std::vector<std::string> masks;
    if (has_ground_truth) masks = pair_masks(images, join_path(gt_dir, defect));
    for (size_t i = 0; i < images.size(); ++i) {
      Sample s{images[i], has_ground_truth ? masks[i] : "", class_name, defect, 1};
      if (has_ground_truth && options.check_mask_sizes) check_mask_size(s.image_path, s.mask_path);
      test.samples.push_back(std::move(s));
    }
  }
}

}  // namespace

void read_mvtec_class(const std::string& class_dir, const std::string& class_name,
                      const DatasetOptions& options, SampleSet& train, SampleSet& test,
                      bool* has_ground_truth) {
  if (!is_directory(class_dir)) fail("class folder '", class_dir, "' does not exist");
  read_train(class_dir, class_name, train);
  *has_ground_truth = is_directory(join_path(class_dir, "ground_truth"));
  read_test(class_dir, class_name, options, test, *has_ground_truth);
}

}  // namespace dn::data::detail
