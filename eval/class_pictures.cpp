#include "eval/class_pictures.h"

#include <filesystem>

#include "eval/plots.h"
#include "eval/vis.h"
#include "tensor/error.h"

namespace dn::eval {

ClassPictures::ClassPictures(std::string class_name, int per_defect, OutputNames strip_names)
    : name_(std::move(class_name)), per_defect_(per_defect), strip_names_(std::move(strip_names)) {
  DN_CHECK(per_defect >= 0, "ClassPictures: per_defect must be >= 0, got ", per_defect);
}

void ClassPictures::add(const std::string& path, int label, float score, const data::Image& crop,
                        std::span<const float> map, std::span<const uint8_t> mask, int height, int width) {
  DN_CHECK(map.size() == size_t(height) * size_t(width) && (mask.empty() || mask.size() == map.size()),
           "ClassPictures(", name_, "): map/mask sizes of ", path, " do not match ", height, "x", width);
  scale_.add(map);
  std::string defect = std::filesystem::path(path).parent_path().filename().string();
  if (kept_per_defect_[defect] >= per_defect_) return;
  kept_per_defect_[defect]++;
  kept_.push_back({path, label, score, crop, std::vector<float>(map.begin(), map.end()),
                   std::vector<uint8_t>(mask.begin(), mask.end()), height, width});
}

std::string ClassPictures::strip_file(const std::string& path) const {
  for (const Kept& k : kept_)
    if (k.path == path) return name_ + "/" + strip_names_.file(path, ".png");
  return "";
}

std::vector<std::string> ClassPictures::write(const std::string& dir, const ClassMetrics& metrics,
                                              const std::vector<ScoreRow>& scores) const {
  std::vector<std::string> written;
  std::error_code ec;
  const std::filesystem::path root(dir), strips = root / name_;
  std::filesystem::create_directories(strips, ec);
  DN_CHECK(!ec, "ClassPictures: cannot create ", strips.string(), ": ", ec.message());

  if (!scale_.empty()) {
    StripStyle style;
    style.scale = scale_.percentiles(0.01, 0.999);
    style.pixel_threshold = metrics.pixel.f1_threshold;
    style.image_threshold = metrics.image.f1_threshold;
    style.threshold_note = "F1-optimal on this test set (an oracle, for viewing only)";
    for (const Kept& k : kept_) {
      std::filesystem::path file_path(k.path);
      std::string caption = name_ + "/" + file_path.parent_path().filename().string() + "/" +
                            file_path.filename().string();
      StripInput in{&k.crop, k.map, k.height, k.width, k.mask, k.score, k.label, caption};
      std::string file = (root / strip_file(k.path)).string();
      data::write_png(file, render_strip(in, style));
      written.push_back(file);
    }
  }

  std::vector<float> s;
  std::vector<uint8_t> l;
  for (const ScoreRow& r : scores) {
    s.push_back(r.score);
    l.push_back(uint8_t(r.label));
  }
  if (!s.empty()) {
    std::string hist = (root / (name_ + "_scores.png")).string();
    data::write_png(hist, render_score_histogram(s, l, metrics.image.f1_threshold, name_ + ": image scores"));
    std::string roc = (root / (name_ + "_roc.png")).string();
    data::write_png(roc, render_roc(s, l, metrics.image.f1_threshold, name_ + ": image-level ROC"));
    written.push_back(hist);
    written.push_back(roc);
  }
  return written;
}

}  // namespace dn::eval
