#include "apps/lib/data_options.h"

#include <sstream>

#include "data/datasets/manifest.h"
#include "tensor/error.h"

namespace dn::app {
namespace {

bool uses_folders(const DataSource& s) {
  return !s.train_good.empty() || !s.test_good.empty() || !s.test_defect.empty();
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

}  // namespace

void add_data_options(CLI::App& app, DataSource& s, const std::string& data_help) {
  auto* data = app.add_option("--data", s.root, data_help);
  app.add_option("--layout", s.layout, "with --data: auto, mvtec, realiad or folder")->capture_default_str();
  app.add_option("--classes", s.classes_csv, "comma-separated classes to use (default: all)");
  auto* train_good = app.add_option("--train-good", s.train_good, "a folder of normal training images (repeatable)");
  auto* test_good = app.add_option("--test-good", s.test_good, "a folder of normal test images (repeatable)");
  auto* test_defect = app.add_option("--test-defect", s.test_defect, "a folder of anomalous test images; the "
                                     "folder name is the defect type (repeatable)");
  auto* masks = app.add_option("--masks", s.masks, "masks of the --test-defect images: <stem>_mask.* or <stem>.*, "
                               "in MASKS/<defect folder name>/ if that exists, else in MASKS");
  auto* class_name = app.add_option("--class-name", s.class_name, "class name of the folders' images")
                         ->capture_default_str();
  auto* manifest = app.add_option("--manifest", s.manifest, "a CSV file listing the images: "
                                  "path,class,split,label[,mask] (see docs/custom-data.md)");
  app.add_flag("--skip-corrupt", s.skip_corrupt, "leave out unreadable images (listed on stderr and in "
               "skipped.json) instead of stopping at the first");
  for (auto* folder_option : {train_good, test_good, test_defect, masks, class_name}) {
    data->excludes(folder_option);
    manifest->excludes(folder_option);
  }
  data->excludes(manifest);
}

data::Dataset open_data(const DataSource& s, bool need_train) {
  data::DatasetOptions options;
  options.classes = split_commas(s.classes_csv);
  // Headers of unreadable images cannot be compared; the loader compares sizes as it decodes.
  options.check_mask_sizes = !s.skip_corrupt;
  const int sources = int(!s.root.empty()) + int(uses_folders(s)) + int(!s.manifest.empty());
  DN_CHECK(sources == 1, sources == 0 ? "no data given: " : "more than one data source given: ",
           "use --data ROOT, --manifest FILE, or folders (--train-good, --test-good, --test-defect)");
  if (!s.root.empty()) {
    options.layout = data::parse_layout(s.layout);
    return data::open_dataset(s.root, options);
  }
  DN_CHECK(s.layout == "auto", "--layout applies to --data only");
  if (uses_folders(s)) {
    DN_CHECK(!need_train || !s.train_good.empty(), "--train-good DIR is needed: training takes normal images");
    DN_CHECK(s.masks.empty() || !s.test_defect.empty(), "--masks needs --test-defect folders");
    DN_CHECK(!s.class_name.empty(), "--class-name must not be empty");
    data::FolderSpec spec;
    spec.train_dirs = s.train_good;
    spec.test_normal_dirs = s.test_good;
    spec.test_anomalous_dirs = s.test_defect;
    spec.mask_dir = s.masks;
    spec.class_name = s.class_name;
    data::Dataset ds = data::open_folder_dataset(spec, options);
    if (!options.classes.empty())
      DN_CHECK(options.classes == ds.classes, "--classes: the folders hold the one class '", s.class_name, "'");
    return ds;
  }
  data::Dataset ds = data::open_manifest(s.manifest, options);
  DN_CHECK(!need_train || !ds.train.empty(), "manifest '", s.manifest, "' lists no training images "
           "(split train): training takes normal images");
  return ds;
}

nlohmann::json describe_data(const DataSource& s) {
  if (!s.root.empty()) return s.root;
  if (!s.manifest.empty()) return {{"manifest", s.manifest}};
  return {{"train_good", s.train_good}, {"test_good", s.test_good}, {"test_defect", s.test_defect},
          {"masks", s.masks}, {"class_name", s.class_name}};
}

}  // namespace dn::app
