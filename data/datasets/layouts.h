// Internal to data/datasets: the readers of each layout and the mask pairing they share.
#pragma once
#include <string>
#include <vector>

#include "data/dataset.h"

namespace dn::data::detail {

// Normal-image folder names: MVTec, MPDD and VisA say "good", BTAD says "ok".
bool is_normal_folder_name(const std::string& name);

// True when `dir` looks like one class in MVTec layout (it has train/ or test/).
bool is_mvtec_class_dir(const std::string& dir);

// Reads one class folder in MVTec layout, appending to train and test. Sets
// *has_ground_truth to whether <class>/ground_truth exists.
void read_mvtec_class(const std::string& class_dir, const std::string& class_name,
                      const DatasetOptions& options, SampleSet& train, SampleSet& test,
                      bool* has_ground_truth);

// The masks of `images` (paths of one defect folder) in `mask_dir`, paired by name (mask
// stem = image stem + "_mask", or the image stem). Throws dn::Error naming the image
// without a mask, or the mask without an image.
std::vector<std::string> pair_masks(const std::vector<std::string>& images, const std::string& mask_dir);

// Compares the header sizes of an image and its mask; throws dn::Error naming both.
void check_mask_size(const std::string& image_path, const std::string& mask_path);

Dataset open_realiad(const std::string& root, const DatasetOptions& options);

// Keeps the requested classes (all when `wanted` is empty), in sorted order; throws
// dn::Error listing the classes found when one is missing.
std::vector<std::string> select_classes(const std::vector<std::string>& found,
                                        const std::vector<std::string>& wanted,
                                        const std::string& root);

// The last step of a data set listed by the user (folders, a manifest): sorts both splits as
// the MVTec reader lists them (by class, then defect type, "good" being one of them, then
// path), so the same images given either way train and evaluate in the same order (the
// shuffle, the held-out split and the float sums of the metrics depend on it); gives both
// splits the data set's classes; and sets the test split's has_masks.
void finish_listed_dataset(Dataset& ds);

// has_masks of a split: it has anomalous samples and every one of them has a mask.
bool masks_complete(const std::vector<Sample>& samples);

}  // namespace dn::data::detail
