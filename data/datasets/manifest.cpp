// open_manifest: a data set listed in a CSV file (see manifest.h).
#include "data/datasets/manifest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "data/csv_line.h"
#include "data/datasets/layouts.h"
#include "data/files.h"
#include "tensor/error.h"

namespace dn::data {
namespace {

constexpr const char* kColumns[] = {"path", "class", "split", "label", "mask"};

class Manifest {
 public:
  explicit Manifest(std::string path) : path_(std::move(path)) {
    dir_ = std::filesystem::path(path_).parent_path().string();
  }

  // "manifest 'm.csv' line 3, column 2 (class): " for messages.
  std::string where(int line, int column = -1) const {
    std::string s = "manifest '" + path_ + "' line " + std::to_string(line);
    if (column >= 0) s += ", column " + std::to_string(column + 1) + " (" + header_[size_t(column)] + ")";
    return s + ": ";
  }

  void read_header(const std::string& line) {
    if (!split_csv_line(line, header_)) fail(where(1), "unterminated quote");
    for (size_t c = 0; c < header_.size(); ++c) {
      const auto* known = std::find(std::begin(kColumns), std::end(kColumns), header_[c]);
      if (known == std::end(kColumns))
        fail(where(1), "unknown column '", header_[c], "' (the header names path, class, split, label and "
             "optionally mask)");
      if (column_.count(header_[c])) fail(where(1), "the column '", header_[c], "' appears twice");
      column_[header_[c]] = int(c);
    }
    for (const char* name : {"path", "class", "split", "label"})
      if (!column_.count(name))
        fail(where(1), "no '", name, "' column (the header must name path, class, split, label and optionally "
             "mask; got '", line, "')");
  }

  int column(const char* name) const { return column_.count(name) ? column_.at(name) : -1; }
  const std::string& path() const { return path_; }
  std::size_t columns() const { return header_.size(); }

  // A path from the manifest: relative ones are relative to the manifest's folder.
  std::string resolve(const std::string& p) const {
    return std::filesystem::path(p).is_absolute() ? p : join_path(dir_, p);
  }

 private:
  std::string path_, dir_;
  std::vector<std::string> header_;
  std::map<std::string, int> column_;
};

struct Row {
  Sample sample;
  bool train = false;
  int line = 0;
};

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

Row parse_row(const Manifest& m, const std::vector<std::string>& f, int line) {
  const int c_path = m.column("path"), c_class = m.column("class"), c_split = m.column("split"),
            c_label = m.column("label"), c_mask = m.column("mask");
  Row row;
  row.line = line;
  const std::string path = trim(f[size_t(c_path)]), cls = trim(f[size_t(c_class)]), split = trim(f[size_t(c_split)]),
                    label = trim(f[size_t(c_label)]), mask = c_mask >= 0 ? trim(f[size_t(c_mask)]) : "";
  if (path.empty()) fail(m.where(line, c_path), "empty path");
  if (cls.empty()) fail(m.where(line, c_class), "empty class name");
  if (split != "train" && split != "test") fail(m.where(line, c_split), "'", split, "' is not train or test");
  if (label.empty()) fail(m.where(line, c_label), "empty label (good, or the defect type)");
  row.train = split == "train";
  if (row.train && label != "good")
    fail(m.where(line, c_label), "'", label, "': training images are normal, so their label must be good");
  if (!mask.empty() && label == "good") fail(m.where(line, c_mask), "a normal image has no mask");

  Sample& s = row.sample;
  s.image_path = m.resolve(path);
  s.class_name = cls;
  s.defect = label;
  s.label = label == "good" ? 0 : 1;
  if (!has_image_extension(s.image_path))
    fail(m.where(line, c_path), "'", path, "' is not an image file we read (png, jpg, jpeg, bmp, tif, tiff)");
  if (!is_regular_file(s.image_path)) fail(m.where(line, c_path), "image '", s.image_path, "' does not exist");
  if (!mask.empty()) {
    s.mask_path = m.resolve(mask);
    if (!is_regular_file(s.mask_path)) fail(m.where(line, c_mask), "mask '", s.mask_path, "' does not exist");
  }
  return row;
}

}  // namespace

Dataset open_manifest(const std::string& manifest_path, const DatasetOptions& options) {
  std::ifstream in(manifest_path);
  if (!in) fail("cannot open the manifest '", manifest_path, "'");
  Manifest m(manifest_path);
  std::string line;
  if (!std::getline(in, line)) fail("manifest '", manifest_path, "' is empty (expected the header path,class,split,label,mask)");
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark, as spreadsheets write
  if (!line.empty() && line.back() == '\r') line.pop_back();
  m.read_header(line);

  std::vector<Row> rows;
  std::map<std::string, int> line_of_path;
  std::vector<std::string> fields;
  for (int number = 2; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    if (!split_csv_line(line, fields)) fail(m.where(number), "unterminated quote");
    if (fields.size() != m.columns())
      fail(m.where(number), fields.size(), " fields, but the header names ", m.columns(), " columns");
    Row row = parse_row(m, fields, number);
    auto [it, inserted] = line_of_path.emplace(row.sample.image_path, number);
    if (!inserted)
      fail(m.where(number, m.column("path")), "'", row.sample.image_path, "' is listed already on line ", it->second);
    rows.push_back(std::move(row));
  }
  if (rows.empty()) fail("manifest '", manifest_path, "' lists no images");

  std::vector<std::string> found;
  for (const Row& r : rows)
    if (std::find(found.begin(), found.end(), r.sample.class_name) == found.end()) found.push_back(r.sample.class_name);
  Dataset ds;
  ds.root = manifest_path;
  ds.layout = Layout::folder;
  ds.classes = detail::select_classes(found, options.classes, manifest_path);
  for (const Row& r : rows) {
    if (std::find(ds.classes.begin(), ds.classes.end(), r.sample.class_name) == ds.classes.end()) continue;
    if (!r.sample.mask_path.empty() && options.check_mask_sizes)
      detail::check_mask_size(r.sample.image_path, r.sample.mask_path);
    (r.train ? ds.train : ds.test).samples.push_back(r.sample);
  }
  detail::finish_listed_dataset(ds);
  return ds;
}

}  // namespace dn::data
