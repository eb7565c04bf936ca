// Data sets: which image files make up the training and test splits, with their labels,
// class names and masks. Nothing is decoded here (the loader does that); opening a data
// set only lists files and checks that the layout is complete and consistent.
//
// Layouts understood (docs/reference.md §7, and what users bring):
//   mvtec    <root>/<class>/train/good/*, <class>/test/<defect>/*,
//            <class>/ground_truth/<defect>/<stem>_mask.png. The same code reads MPDD
//            (identical layout), BTAD (normal folder "ok", masks named <stem>.png or .bmp)
//            and VisA once converted to its 1cls layout (convert_visa in visa.h; masks
//            named <stem>.png). <root> may also be a single class folder itself.
//   realiad  <root>/realiad_jsons/realiad_jsons/<class>.json listing train and test
//            records, images under <root>/realiad_1024/<class>/.
//   folder   a plain folder of normal images (training only), or open_folder_dataset
//            with explicit test folders.
// Images are png/jpg/jpeg/bmp/tif/tiff in any case; other files are ignored, except image
// formats we cannot decode (webp, gif, ...), which are an error rather than silently skipped.
//
// Masks are paired by name: the mask of image <stem>.x is <stem>_mask.* or <stem>.* in
// ground_truth/<defect>/. The reference pairs sorted lists by position, which gives the
// same pairs on a complete data set with zero-padded names; by name, a missing or extra
// mask is an error naming the file instead of a silent shift of every later pair. A mask
// whose size differs from its image is an error too.
// A test set without a ground_truth folder is fine: it has image labels only
// (has_masks = false), and pixel metrics are then undefined. Within one class, either
// every anomalous image has a mask or none has (ground_truth/ exists or not).
#pragma once
#include <string>
#include <vector>

namespace dn::data {

struct Sample {
  std::string image_path;
  std::string mask_path;  // "" when the image has no mask (normal, or a set without masks)
  std::string class_name;
  std::string defect;     // "good" for normal images, else the defect type
  int label = 0;          // 0 normal, 1 anomalous
};

// One split (training or test) of one or more classes, in a fixed order: classes sorted by
// name, then defect folders sorted, then file names sorted.
struct SampleSet {
  std::vector<Sample> samples;
  std::vector<std::string> classes;
  bool has_masks = false;  // there are anomalous samples, and every one has a mask

  size_t size() const { return samples.size(); }
  bool empty() const { return samples.empty(); }
  // The samples of one class (class-separated training and per-class evaluation).
  SampleSet only_class(const std::string& class_name) const;
  size_t count_label(int label) const;
};

enum class Layout { automatic, mvtec, realiad, folder };

struct DatasetOptions {
  Layout layout = Layout::automatic;
  std::vector<std::string> classes;  // keep only these (error if one is missing); empty: all
  bool check_mask_sizes = true;      // read image and mask headers to compare sizes
  // Real-IAD: the image resolution folder ("" picks realiad_1024, else _512, _256, _raw)
  // and the folder of per-class JSON files relative to the root.
  std::string realiad_images;
  std::string realiad_jsons = "realiad_jsons/realiad_jsons";
};

struct Dataset {
  std::string root;
  Layout layout = Layout::automatic;  // the layout found
  std::vector<std::string> classes;   // sorted
  SampleSet train, test;
};

// Opens a data set, finding its layout when options.layout is automatic. Throws dn::Error
// naming the folder or file for: a missing root or class, a class without training images
// (an empty train/good), missing or mismatched masks, unsupported image formats.
Dataset open_dataset(const std::string& root, const DatasetOptions& options = {});

// A user's own folders: normal images for training, test folders of normal images and of
// anomalous ones (the defect type is the folder's name), and a folder of masks. Training
// folders or test folders may be left out (but not both): eval needs no training images.
// Masks pair by name: image <stem>.x has mask <stem>_mask.* or <stem>.*, looked up in
// mask_dir/<defect folder name>/ when that folder exists, else in mask_dir itself.
struct FolderSpec {
  std::vector<std::string> train_dirs;           // normal images
  std::vector<std::string> test_normal_dirs;
  std::vector<std::string> test_anomalous_dirs;
  std::string mask_dir;                          // optional
  std::string class_name;                        // default: the first folder's name
};
Dataset open_folder_dataset(const FolderSpec& spec, const DatasetOptions& options = {});

const char* layout_name(Layout layout);
Layout parse_layout(const std::string& name);  // "auto", "mvtec", "realiad", "folder"

}  // namespace dn::data
