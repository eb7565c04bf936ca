#include "apps/lib/threshold.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "tensor/error.h"
#include "tensor/io/atomic_file.h"

namespace dn::app {

namespace {

void check_fpr(double fpr) { DN_CHECK(fpr > 0 && fpr < 1, "threshold: --fpr must be in (0, 1), got ", fpr); }

// The image threshold at `fpr`: the (1 - fpr) quantile, or the maximum when there are too
// few scores for that quantile to mean anything (fewer than one expected false positive).
void fit_image_threshold(OperatingPoint& op, std::vector<float>& scores, double fpr) {
  op.fpr = fpr;
  op.holdout_images = int64_t(scores.size());
  const bool too_few = double(scores.size()) * fpr < 1.0;
  op.image_fit = too_few ? "maximum" : "quantile";
  op.threshold = quantile(scores, too_few ? 1.0 : 1.0 - fpr);
  op.map_scale.high = float(op.threshold + (op.threshold - op.map_scale.low));
}

nlohmann::ordered_json to_json(const OperatingPoint& op) {
  nlohmann::ordered_json j;
  j["threshold"] = op.threshold;
  j["median_normal_score"] = op.median;
  if (op.pixel_threshold) j["pixel_threshold"] = *op.pixel_threshold;
  j["fpr"] = op.fpr;
  j["holdout_images"] = op.holdout_images;
  j["image_fit"] = op.image_fit;
  j["map_scale"] = {op.map_scale.low, op.map_scale.high};
  return j;
}

// The number under `key`; an error naming `where` and the key when it holds anything else.
double number_at(const nlohmann::json& j, const char* key, const std::string& where) {
  DN_CHECK(j.contains(key), where, ": \"", key, "\" is missing");
  DN_CHECK(j.at(key).is_number(), where, ": ", key, " must be a number, not ", j.at(key).dump());
  return j.at(key).get<double>();
}

// One operating point of threshold.json; `where` names it in errors.
OperatingPoint from_json(const nlohmann::json& j, const std::string& where) {
  try {
    OperatingPoint op;
    op.threshold = number_at(j, "threshold", where);
    op.median = number_at(j, "median_normal_score", where);
    if (j.contains("pixel_threshold")) op.pixel_threshold = number_at(j, "pixel_threshold", where);
    op.fpr = number_at(j, "fpr", where);
    op.holdout_images = j.at("holdout_images").get<int64_t>();
    op.image_fit = j.value("image_fit", std::string("quantile"));
    auto scale = j.at("map_scale").get<std::vector<float>>();
    DN_CHECK(scale.size() == 2, where, ": map_scale must hold two numbers");
    op.map_scale = {scale[0], scale[1]};
    return op;
  } catch (const nlohmann::json::exception& e) {
    fail(where, ": ", e.what());
  }
}

void write_json(const std::string& path, const nlohmann::ordered_json& j) {
  const std::string text = j.dump(2) + "\n";
  io::write_file_atomic(path, [&](std::FILE* f) { io::write_bytes(f, text.data(), text.size(), path); });
}

nlohmann::json read_json(const std::string& path, const std::string& missing_hint) {
  std::ifstream in(path);
  DN_CHECK(in.good(), path, ": missing (", missing_hint, ")");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail(path, ": ", e.what());
  }
}

}  // namespace

double OperatingPoint::normalize(double score) const {
  const double spread = std::max(threshold - median, 1e-12);
  return std::clamp(0.5 + 0.5 * (score - threshold) / spread, 0.0, 1.0);
}

double quantile(std::vector<float>& v, double q) {
  DN_CHECK(!v.empty(), "quantile of no values");
  const double pos = q * double(v.size() - 1);
  const size_t lo = size_t(std::floor(pos));
  std::nth_element(v.begin(), v.begin() + lo, v.end());
  const double low = v[lo];
  if (lo + 1 >= v.size()) return low;
  const double high = *std::min_element(v.begin() + lo + 1, v.end());  // the next order statistic
  return low + (pos - double(lo)) * (high - low);
}

OperatingPoint fit_operating_point(std::vector<float> scores, std::vector<float> map_values, double fpr) {
  DN_CHECK(!scores.empty(), "threshold: no held-out normal images to fit it on (use --holdout > 0 "
           "with enough training images)");
  DN_CHECK(!map_values.empty(), "threshold: the held-out images have no map values");
  check_fpr(fpr);
  OperatingPoint op;
  op.median = quantile(scores, 0.5);
  op.pixel_threshold = quantile(map_values, 1.0 - fpr);
  op.map_scale.low = std::min<float>(float(quantile(map_values, 0.01)), float(op.median));
  fit_image_threshold(op, scores, fpr);
  return op;
}

void refit_image_threshold(OperatingPoint& op, std::vector<float> scores, double fpr) {
  DN_CHECK(!scores.empty(), "threshold: no held-out scores to refit the threshold on");
  check_fpr(fpr);
  fit_image_threshold(op, scores, fpr);
}

const OperatingPoint& Thresholds::for_class(const std::string& class_name) const {
  auto it = classes.find(class_name);
  return it == classes.end() ? pooled : it->second;
}

void write_thresholds(const std::string& path, const Thresholds& t) {
  nlohmann::ordered_json j;
  j["method"] = "quantile of held-out normal training images";
  const nlohmann::ordered_json pooled = to_json(t.pooled);  // named: items() must not outlive it
  for (const auto& [key, value] : pooled.items()) j[key] = value;
  nlohmann::ordered_json classes = nlohmann::ordered_json::object();
  for (const auto& [name, op] : t.classes) classes[name] = to_json(op);
  j["classes"] = classes;
  write_json(path, j);
}

Thresholds read_thresholds(const std::string& path) {
  const nlohmann::json j = read_json(path, "the run has no fitted threshold: train with --holdout > 0");
  Thresholds t;
  t.pooled = from_json(j, path);
  if (j.contains("classes")) {
    DN_CHECK(j.at("classes").is_object(), path, ": \"classes\" must be an object {class: {threshold, ...}}");
    for (const auto& [name, entry] : j.at("classes").items())
      t.classes[name] = from_json(entry, path + ": class " + name);
  }
  return t;
}

void write_holdout_scores(const std::string& path, const HoldoutScores& scores) {
  nlohmann::ordered_json j;
  j["what"] = "image scores of the held-out normal training images, per class";
  nlohmann::ordered_json classes = nlohmann::ordered_json::object();
  for (const auto& [name, s] : scores) classes[name] = s;
  j["classes"] = classes;
  write_json(path, j);
}

HoldoutScores read_holdout_scores(const std::string& path) {
  const nlohmann::json j = read_json(path, "the run keeps no held-out scores to refit a threshold on: "
                                           "it was trained before they were stored, or with --holdout 0");
  try {
    HoldoutScores out;
    for (const auto& [name, s] : j.at("classes").items()) out[name] = s.get<std::vector<float>>();
    return out;
  } catch (const nlohmann::json::exception& e) {
    fail(path, ": ", e.what());
  }
}

Thresholds refit_thresholds(Thresholds t, const HoldoutScores& scores, double fpr) {
  std::vector<float> all;
  for (const auto& [name, s] : scores) {
    all.insert(all.end(), s.begin(), s.end());
    auto it = t.classes.find(name);
    if (it != t.classes.end()) refit_image_threshold(it->second, s, fpr);
  }
  refit_image_threshold(t.pooled, std::move(all), fpr);
  return t;
}

void set_image_threshold(Thresholds& t, double threshold) {
  DN_CHECK(std::isfinite(threshold), "--threshold must be a finite number");
  t.pooled.threshold = threshold;
  for (auto& [name, op] : t.classes) op.threshold = threshold;
}

void set_pixel_threshold(Thresholds& t, double threshold) {
  DN_CHECK(std::isfinite(threshold), "--pixel-threshold must be a finite number");
  t.pooled.pixel_threshold = threshold;
  for (auto& [name, op] : t.classes) op.pixel_threshold = threshold;
}

}  // namespace dn::app
