// open_dataset: finds the layout of a root folder and reads it; the SampleSet helpers.
#include <algorithm>
#include <tuple>

#include "data/datasets/layouts.h"
#include "data/files.h"
#include "tensor/error.h"

namespace dn::data {
namespace {

bool has_images(const std::string& dir) { return !list_image_files(dir).empty(); }

Layout detect_layout(const std::string& root) {
  if (is_directory(join_path(root, "realiad_jsons"))) return Layout::realiad;
  if (detail::is_mvtec_class_dir(root)) return Layout::mvtec;  // a single class folder
  for (const auto& sub : list_subdirectories(root))
    if (detail::is_mvtec_class_dir(join_path(root, sub))) return Layout::mvtec;
  if (has_images(root)) return Layout::folder;
  // The original VisA download (before conversion) has split_csv/ and <class>/Data/.
  if (is_directory(join_path(root, "split_csv"))) {
    std::string visa = root;
    while (visa.size() > 1 && visa.back() == '/') visa.pop_back();
    fail("'", root, "' looks like the original VisA download: convert it to the 1cls layout first with "
         "'convert_visa --visa ", visa, " --out ", visa, "_1cls' (as the reference's prepare_visa.py does), then "
         "use --data ", visa, "_1cls");
  }
  fail("cannot tell the layout of '", root, "': expected class folders with train/ and test/ "
       "(MVTec-AD, VisA 1cls, MPDD, BTAD), a Real-IAD folder with realiad_jsons/, or a folder of images");
}

Dataset open_mvtec(const std::string& root, const DatasetOptions& options) {
  Dataset ds;
  ds.root = root;
  ds.layout = Layout::mvtec;
  // The root is either one class (it has train/ itself) or holds class folders.
  const bool single = detail::is_mvtec_class_dir(root);
  std::vector<std::string> found;
  if (single) {
    found.push_back(base_name(root));
  } else {
    for (const auto& sub : list_subdirectories(root))
      if (detail::is_mvtec_class_dir(join_path(root, sub))) found.push_back(sub);
    if (found.empty()) fail("no class folders (with train/ or test/) in '", root, "'");
  }
  ds.classes = detail::select_classes(found, options.classes, root);
  for (const auto& cls : ds.classes) {
    bool has_gt = false;
    detail::read_mvtec_class(single ? root : join_path(root, cls), cls, options, ds.train, ds.test, &has_gt);
  }
  ds.train.classes = ds.test.classes = ds.classes;
  ds.test.has_masks = detail::masks_complete(ds.test.samples);
  return ds;
}

}  // namespace

namespace detail {

std::vector<std::string> select_classes(const std::vector<std::string>& found,
                                        const std::vector<std::string>& wanted, const std::string& root) {
  if (wanted.empty()) {
    std::vector<std::string> all = found;
    std::sort(all.begin(), all.end());
    return all;
  }
  std::vector<std::string> out;
  for (const auto& w : wanted) {
    if (std::find(found.begin(), found.end(), w) == found.end()) {
      std::string list;
      for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
      fail("class '", w, "' not found in '", root, "' (classes there: ", list, ")");
    }
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void finish_listed_dataset(Dataset& ds) {
  for (std::vector<Sample>* samples : {&ds.train.samples, &ds.test.samples})
    std::stable_sort(samples->begin(), samples->end(), [](const Sample& a, const Sample& b) {
      return std::tie(a.class_name, a.defect, a.image_path) < std::tie(b.class_name, b.defect, b.image_path);
    });
  ds.train.classes = ds.test.classes = ds.classes;
  ds.test.has_masks = masks_complete(ds.test.samples);
}

}  // namespace detail

Dataset open_dataset(const std::string& root, const DatasetOptions& options) {
  if (root.empty()) fail("no data folder given");
  if (!is_directory(root)) fail("data folder '", root, "' does not exist or is not a folder");
  const Layout layout = options.layout == Layout::automatic ? detect_layout(root) : options.layout;
  switch (layout) {
    case Layout::mvtec: return open_mvtec(root, options);
    case Layout::realiad: return detail::open_realiad(root, options);
    case Layout::folder: {
      FolderSpec spec;
      spec.train_dirs = {root};
      Dataset ds = open_folder_dataset(spec, options);
      detail::select_classes(ds.classes, options.classes, root);  // a filter naming another class fails
      return ds;
    }
    case Layout::automatic: break;
  }
  fail("open_dataset: no layout");
}

SampleSet SampleSet::only_class(const std::string& class_name) const {
  SampleSet out;
  if (std::find(classes.begin(), classes.end(), class_name) == classes.end())
    fail("class '", class_name, "' is not in this data set");
  out.classes = {class_name};
  for (const auto& s : samples)
    if (s.class_name == class_name) out.samples.push_back(s);
  out.has_masks = detail::masks_complete(out.samples);
  return out;
}

size_t SampleSet::count_label(int label) const {
  return size_t(std::count_if(samples.begin(), samples.end(), [&](const Sample& s) { return s.label == label; }));
}

const char* layout_name(Layout layout) {
  switch (layout) {
    case Layout::automatic: return "auto";
    case Layout::mvtec: return "mvtec";
    case Layout::realiad: return "realiad";
    case Layout::folder: return "folder";
  }
  return "?";
}

Layout parse_layout(const std::string& name) {
  for (Layout l : {Layout::automatic, Layout::mvtec, Layout::realiad, Layout::folder})
    if (name == layout_name(l)) return l;
  fail("unknown data set layout '", name, "' (expected auto, mvtec, realiad or folder)");
}

}  // namespace dn::data
