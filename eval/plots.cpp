#include "eval/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "eval/draw.h"
#include "eval/ranking.h"
#include "tensor/error.h"

namespace dn::eval {

namespace {

const Rgb kWhite{255, 255, 255}, kAxisInk{0, 0, 0}, kAxisGrey{150, 150, 150};
const Rgb kNormal{40, 90, 220}, kAnomalous{220, 40, 40};
const char* const kThresholdNote = "(F1-optimal on the test set)";

std::string number(double v, const char* format = "%.3g") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// A rectangle of the canvas mapped to data coordinates [x0, x1] x [y0, y1].
struct Axes {
  int left, top, width, height;
  double x0, x1, y0, y1;
  int px(double x) const { return left + int(std::lround((x - x0) / (x1 - x0) * (width - 1))); }
  int py(double y) const { return top + height - 1 - int(std::lround((y - y0) / (y1 - y0) * (height - 1))); }
};

void draw_axes(Image& img, const Axes& a, const std::vector<double>& xticks, const std::vector<double>& yticks,
               const std::string& xlabel, const std::string& ylabel) {
  draw_line(img, a.left, a.top + a.height - 1, a.left + a.width - 1, a.top + a.height - 1, kAxisInk);
  draw_line(img, a.left, a.top, a.left, a.top + a.height - 1, kAxisInk);
  for (double t : xticks) {
    int x = a.px(t);
    draw_line(img, x, a.top + a.height, x, a.top + a.height + 3, kAxisInk);
    std::string s = number(t);
    draw_text(img, x - text_width(s) / 2, a.top + a.height + 6, s, kAxisInk);
  }
  for (double t : yticks) {
    int y = a.py(t);
    draw_line(img, a.left - 4, y, a.left - 1, y, kAxisInk);
    std::string s = number(t);
    draw_text(img, a.left - 7 - text_width(s), y - 3, s, kAxisInk);
  }
  draw_text(img, a.left + (a.width - text_width(xlabel, 2)) / 2, a.top + a.height + 20, xlabel, kAxisInk, 2);
  draw_text(img, 4, a.top - 18, ylabel, kAxisInk, 2);
}

// The title, cut with "..." where it would run past the right edge.
void draw_title(Image& img, std::string title) {
  const int room = img.width - 20;
  if (text_width(title, 2) > room) {
    while (!title.empty() && text_width(title + "...", 2) > room) title.pop_back();
    title += "...";
  }
  draw_text(img, 10, 10, title, kAxisInk, 2);
}

void check(std::span<const float> scores, std::span<const uint8_t> labels, const char* what) {
  DN_CHECK(scores.size() == labels.size(), what, ": ", scores.size(), " scores but ", labels.size(), " labels");
  DN_CHECK(!scores.empty(), what, ": no scores");
  for (float s : scores) DN_CHECK(std::isfinite(s), what, ": a score is not finite");
}

}  // namespace

data::Image render_score_histogram(std::span<const float> scores, std::span<const uint8_t> labels,
                                   std::optional<float> threshold, const std::string& title, int bins) {
  check(scores, labels, "render_score_histogram");
  DN_CHECK(bins >= 1, "render_score_histogram: bins must be >= 1");
  Image img = blank_rgb(640, 420, kWhite);
  double lo = *std::min_element(scores.begin(), scores.end());
  double hi = *std::max_element(scores.begin(), scores.end());
  if (threshold) {
    lo = std::min(lo, double(*threshold));
    hi = std::max(hi, double(*threshold));
  }
  if (!(hi > lo)) {  // all equal: give the single bar some room
    lo -= 0.5;
    hi += 0.5;
  }
  const double pad = 0.02 * (hi - lo);
  lo -= pad;
  hi += pad;

  std::vector<uint64_t> normal(bins, 0), anomalous(bins, 0);
  uint64_t n_normal = 0, n_anomalous = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    int b = std::clamp(int((scores[i] - lo) / (hi - lo) * bins), 0, bins - 1);
    (labels[i] ? anomalous : normal)[b]++;
    (labels[i] ? n_anomalous : n_normal)++;
  }
  uint64_t top = 1;
  for (int b = 0; b < bins; ++b) top = std::max({top, normal[b], anomalous[b]});

  Axes a{70, 60, 540, 290, lo, hi, 0.0, double(top)};
  draw_title(img, title);
  // Bars: translucent so that overlapping normal and anomalous counts both show.
  for (int b = 0; b < bins; ++b) {
    int x0 = a.px(lo + (hi - lo) * b / bins), x1 = a.px(lo + (hi - lo) * (b + 1) / bins);
    for (auto [count, colour] : {std::pair{normal[b], kNormal}, std::pair{anomalous[b], kAnomalous}}) {
      if (count == 0) continue;
      int y = a.py(double(count));
      for (int yy = y; yy < a.top + a.height - 1; ++yy)
        for (int xx = x0; xx < std::max(x1, x0 + 1); ++xx) blend_pixel(img, xx, yy, colour, 0.55f);
    }
  }
  std::vector<double> xt;
  for (int k = 0; k <= 4; ++k) xt.push_back(lo + pad + (hi - lo - 2 * pad) * k / 4.0);
  draw_axes(img, a, xt, {0.0, std::round(double(top) / 2), double(top)}, "image score", "images");
  if (threshold) {
    int x = a.px(*threshold);
    draw_line(img, x, a.top, x, a.top + a.height - 1, kAxisInk, 2, 6);
    std::string t = "threshold " + number(*threshold, "%.4g");
    draw_text(img, std::min(x + 6, a.left + a.width - text_width(t)), a.top + 4, t, kAxisInk);
    draw_text(img, std::min(x + 6, a.left + a.width - text_width(kThresholdNote)), a.top + 14, kThresholdNote, kAxisInk);
  }
  // Legend.
  int lx = a.left + a.width - 210, ly = 34;
  fill_rect(img, lx, ly, 12, 12, kNormal);
  draw_text(img, lx + 18, ly + 2, "normal (" + std::to_string(n_normal) + ")", kAxisInk);
  fill_rect(img, lx + 110, ly, 12, 12, kAnomalous);
  draw_text(img, lx + 128, ly + 2, "anomalous (" + std::to_string(n_anomalous) + ")", kAxisInk);
  return img;
}

data::Image render_roc(std::span<const float> scores, std::span<const uint8_t> labels,
                       std::optional<float> threshold, const std::string& title) {
  check(scores, labels, "render_roc");
  Image img = blank_rgb(440, 460, kWhite);
  Axes a{60, 60, 350, 330, 0.0, 1.0, 0.0, 1.0};
  draw_title(img, title);
  draw_axes(img, a, {0.0, 0.25, 0.5, 0.75, 1.0}, {0.0, 0.25, 0.5, 0.75, 1.0}, "false positive rate",
            "true positive rate");
  draw_line(img, a.px(0), a.py(0), a.px(1), a.py(1), kAxisGrey, 1, 4);

  std::vector<RocPoint> roc = roc_curve(scores, labels);
  if (roc.empty()) {
    draw_text(img, a.left + 20, a.top + 40, "undefined: one class only", kAnomalous, 2);
    return img;
  }
  for (size_t i = 1; i < roc.size(); ++i)
    draw_line(img, a.px(roc[i - 1].fpr), a.py(roc[i - 1].tpr), a.px(roc[i].fpr), a.py(roc[i].tpr), kAnomalous, 2);
  RankingMetrics m = ranking_metrics(scores, labels);
  draw_text(img, a.left + a.width / 2 - 20, a.top + a.height - 30, "AUROC " + number(*m.auroc * 100, "%.1f") + "%", kAxisInk, 2);
  if (threshold) {
    // The operating point: the fractions of anomalous and normal scores >= threshold.
    uint64_t tp = 0, fp = 0, p = 0, n = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
      bool called = scores[i] >= *threshold;
      if (labels[i]) p++, tp += called;
      else n++, fp += called;
    }
    int x = a.px(double(fp) / n), y = a.py(double(tp) / p);
    fill_rect(img, x - 4, y - 4, 9, 9, kAxisInk);
    std::string t = "threshold " + number(*threshold, "%.4g");
    draw_text(img, std::min(x + 8, a.left + a.width - text_width(t)), y + 8, t, kAxisInk);
  }
  return img;
}

}  // namespace dn::eval
