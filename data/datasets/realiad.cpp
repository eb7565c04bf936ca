// Real-IAD (docs/reference.md §7, dataset.py RealIADDataset): one JSON file per class,
//   <root>/realiad_jsons/realiad_jsons/<class>.json = {"train": [records], "test": [records]}
// each record holding image_path, anomaly_class ("OK" = normal) and mask_path (null for
// normal images), both relative to <root>/realiad_1024/<class>/.
#include <nlohmann/json.hpp>

#include <fstream>

#include "data/datasets/layouts.h"
#include "data/files.h"
#include "tensor/error.h"

namespace dn::data::detail {
namespace {

std::string images_folder(const std::string& root, const DatasetOptions& options) {
  if (!options.realiad_images.empty()) {
    const std::string dir = join_path(root, options.realiad_images);
    if (!is_directory(dir)) fail("Real-IAD: image folder '", dir, "' does not exist");
    return dir;
  }
  for (const char* name : {"realiad_1024", "realiad_512", "realiad_256", "realiad_raw"})
    if (is_directory(join_path(root, name))) return join_path(root, name);
  fail("Real-IAD: no image folder in '", root, "' (expected realiad_1024, realiad_512, realiad_256 or realiad_raw)");
}

std::string text_field(const nlohmann::json& record, const char* key, const std::string& json_path) {
  if (!record.contains(key) || record[key].is_null()) return "";
  if (!record[key].is_string()) fail("Real-IAD: '", json_path, "': field '", key, "' is not a string");
  return record[key].get<std::string>();
}

void read_split(const nlohmann::json& doc, const char* phase, const std::string& class_name,
                const std::string& class_images, const std::string& json_path,
                const DatasetOptions& options, SampleSet& out) {
  if (!doc.contains(phase)) return;
  if (!doc[phase].is_array()) fail("Real-IAD: '", json_path, "': '", phase, "' is not a list");
  for (const auto& record : doc[phase]) {
    if (!record.is_object()) fail("Real-IAD: '", json_path, "': a '", phase, "' record is not an object");
    const std::string image = text_field(record, "image_path", json_path);
    if (image.empty()) fail("Real-IAD: '", json_path, "': a '", phase, "' record has no image_path");
    const std::string anomaly = text_field(record, "anomaly_class", json_path);
    const std::string mask = text_field(record, "mask_path", json_path);
    Sample s;
    s.image_path = join_path(class_images, image);
    s.class_name = class_name;
    s.label = anomaly == "OK" ? 0 : 1;
    s.defect = s.label == 0 ? "good" : anomaly;
    if (!is_regular_file(s.image_path))
      fail("Real-IAD: image '", s.image_path, "' listed in '", json_path, "' does not exist");
    if (std::string(phase) == "test" && s.label == 1) {
      if (mask.empty()) fail("Real-IAD: anomalous test image '", s.image_path, "' has no mask_path in '", json_path, "'");
      s.mask_path = join_path(class_images, mask);
      if (!is_regular_file(s.mask_path)) fail("Real-IAD: mask '", s.mask_path, "' listed in '", json_path, "' does not exist");
      if (options.check_mask_sizes) check_mask_size(s.image_path, s.mask_path);
    }
    out.samples.push_back(std::move(s));
  }
}

}  // namespace

Dataset open_realiad(const std::string& root, const DatasetOptions& options) {
  const std::string json_dir = join_path(root, options.realiad_jsons);
  if (!is_directory(json_dir)) fail("Real-IAD: JSON folder '", json_dir, "' does not exist");
  const std::string image_root = images_folder(root, options);
  std::vector<std::string> found;
  for (const auto& sub : list_subdirectories(image_root))
    if (is_regular_file(join_path(json_dir, sub + ".json"))) found.push_back(sub);
  if (found.empty()) fail("Real-IAD: no class has both '", image_root, "/<class>/' and '", json_dir, "/<class>.json'");

  Dataset ds;
  ds.root = root;
  ds.layout = Layout::realiad;
  ds.classes = select_classes(found, options.classes, root);
  for (const auto& cls : ds.classes) {
    const std::string json_path = join_path(json_dir, cls + ".json");
    std::ifstream in(json_path);
    if (!in) fail("Real-IAD: cannot open '", json_path, "'");
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      fail("Real-IAD: '", json_path, "' is not valid JSON: ", e.what());
    }
    const std::string class_images = join_path(image_root, cls);
    const size_t before = ds.train.size();
    read_split(doc, "train", cls, class_images, json_path, options, ds.train);
    read_split(doc, "test", cls, class_images, json_path, options, ds.test);
    if (ds.train.size() == before) fail("Real-IAD: class '", cls, "' has no training images in '", json_path, "'");
  }
  ds.train.classes = ds.test.classes = ds.classes;
  ds.test.has_masks = masks_complete(ds.test.samples);
  return ds;
}

}  // namespace dn::data::detail
