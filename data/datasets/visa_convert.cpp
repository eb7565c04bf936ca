// convert_visa: the reference's prepare_visa.py (1cls branch), see visa.h.
#include <algorithm>
#include <fstream>

#include "data/csv_line.h"
#include "data/files.h"
#include "data/image.h"
#include "data/visa.h"
#include "tensor/error.h"

namespace dn::data {
namespace {

void copy_file(const std::string& from, const std::string& to) { write_file_atomic(to, read_file_bytes(from)); }

// Any non-zero value (in any channel) becomes 255: the script's mask[mask != 0] = 255.
void write_binarised_mask(const std::string& from, const std::string& to) {
  const Image mask = read_image(from, 0);
  Image out(mask.width, mask.height, 1);
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    bool on = false;
    for (int c = 0; c < mask.channels; ++c) on = on || mask.pixels[i * mask.channels + c] != 0;
    out.pixels[i] = on ? 255 : 0;
  }
  write_png(to, out);
}

}  // namespace

VisaConversion convert_visa(const std::string& visa_root, const std::string& out_root, const std::string& split_csv) {
  const std::string csv = split_csv.empty() ? join_path(visa_root, "split_csv/1cls.csv") : split_csv;
  std::ifstream in(csv);
  if (!in) fail("VisA: cannot open the split file '", csv, "'");
  std::string line;
  if (!std::getline(in, line)) fail("VisA: '", csv, "' is empty");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line != "object,split,label,image,mask")
    fail("VisA: '", csv, "' does not start with the header object,split,label,image,mask (got '", line, "')");

  VisaConversion result;
  for (int number = 2; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> f;
    if (!split_csv_line(line, f)) fail("VisA: '", csv, "' line ", number, ": unterminated quote");
    if (f.size() != 5) fail("VisA: '", csv, "' line ", number, ": expected 5 fields, got ", f.size());
    const std::string &object = f[0], &split = f[1], &label = f[2], &image = f[3], &mask = f[4];
    std::string dest;
    if (split == "train" && label == "normal") {
      dest = "train/good";
      ++result.train;
    } else if (split == "test" && label == "normal") {
      dest = "test/good";
      ++result.test_normal;
    } else if (split == "test" && label == "anomaly") {
      dest = "test/bad";
      ++result.test_anomalous;
    } else {
      continue;
    }
    if (std::find(result.classes.begin(), result.classes.end(), object) == result.classes.end())
      result.classes.push_back(object);
    const std::string class_out = join_path(out_root, object);
    const std::string source = join_path(visa_root, image);
    if (!is_regular_file(source)) fail("VisA: '", csv, "' line ", number, ": image '", source, "' does not exist");
    make_directories(join_path(class_out, dest));
    copy_file(source, join_path(join_path(class_out, dest), base_name(image)));
    if (dest == "test/bad") {
      if (mask.empty()) fail("VisA: '", csv, "' line ", number, ": anomalous image without a mask");
      const std::string mask_source = join_path(visa_root, mask);
      if (!is_regular_file(mask_source))
        fail("VisA: '", csv, "' line ", number, ": mask '", mask_source, "' does not exist");
      const std::string gt_dir = join_path(class_out, "ground_truth/bad");
      make_directories(gt_dir);
      write_binarised_mask(mask_source, join_path(gt_dir, base_name(mask)));
    }
  }
  std::sort(result.classes.begin(), result.classes.end());
  return result;
}

}  // namespace dn::data
