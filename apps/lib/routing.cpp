#include "apps/lib/routing.h"

#include <algorithm>
#include <filesystem>

#include "tensor/error.h"

namespace dn::app {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void check_class(const std::string& class_name, const std::vector<std::string>& classes, const std::string& run_name) {
  DN_CHECK(classes.empty() || std::find(classes.begin(), classes.end(), class_name) != classes.end(),
           "--class '", class_name, "': not a class of ", run_name, " (its classes: ", joined(classes), ")");
}

ClassRouter::ClassRouter(std::vector<std::string> run_classes, std::string class_option, const std::string& run_name)
    : classes_(std::move(run_classes)), forced_(std::move(class_option)) {
  if (!forced_.empty()) check_class(forced_, classes_, run_name);
}

std::string ClassRouter::class_of(const std::string& image_path) const {
  return forced_.empty() ? class_from_path(image_path, classes_) : forced_;
}

std::string class_from_path(const std::string& image_path, const std::vector<std::string>& classes) {
  const std::filesystem::path folder = std::filesystem::path(image_path).parent_path();
  std::vector<std::string> parts;
  for (const auto& part : folder) parts.push_back(part.string());
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)  // nearest the file first
    if (std::find(classes.begin(), classes.end(), *it) != classes.end()) return *it;
  return "";
}

std::optional<Thresholds> deployed_thresholds(const LoadedRun& run, const std::string& class_name,
                                              const ThresholdOverrides& o) {
  DN_CHECK(!(o.image && o.fpr), "--threshold and --fpr exclude each other: give one");
  std::optional<Thresholds> t = run.thresholds(class_name);
  const bool any = o.image || o.fpr || o.pixel;
  DN_CHECK(t || !any, run.dir.empty() ? "bare weights" : run.dir, ": has no threshold.json for --threshold, "
           "--fpr or --pixel-threshold to change (train with --holdout > 0)");
  if (!t) return t;
  if (o.fpr) *t = refit_thresholds(*t, read_holdout_scores(run.holdout_scores_path(class_name)), *o.fpr);
  if (o.image) set_image_threshold(*t, *o.image);
  if (o.pixel) set_pixel_threshold(*t, *o.pixel);
  return t;
}

}  // namespace dn::app
