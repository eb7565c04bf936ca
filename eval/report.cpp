#include "eval/report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "eval/csv.h"
#include "tensor/error.h"
#include "tensor/io/atomic_file.h"

namespace dn::eval {

const std::array<const char*, kMetricCount> kMetricKeys = {
    "i_auroc", "i_ap", "i_f1max", "p_auroc", "p_ap", "p_f1max", "p_aupro"};
const std::array<const char*, kMetricCount> kMetricNames = {
    "I-AUROC", "I-AP", "I-F1max", "P-AUROC", "P-AP", "P-F1max", "AUPRO"};

std::optional<double> metric_value(const ClassMetrics& c, int k) {
  switch (k) {
    case 0: return c.image.auroc;
    case 1: return c.image.ap;
    case 2: return c.image.f1max;
    case 3: return c.pixel.auroc;
    case 4: return c.pixel.ap;
    case 5: return c.pixel.f1max;
    case 6: return c.pixel.aupro;
  }
  fail("metric_value: no metric ", k);
}

std::array<MetricMean, kMetricCount> class_means(const RunReport& report) {
  std::array<MetricMean, kMetricCount> out{};
  for (int k = 0; k < kMetricCount; ++k) {
    double sum = 0;
    for (const ClassMetrics& c : report.classes) {
      if (auto v = metric_value(c, k)) {
        sum += *v;
        ++out[k].defined;
      }
    }
    if (out[k].defined > 0) out[k].value = sum / out[k].defined;
  }
  return out;
}

namespace {

void check_report(const RunReport& report) {
  DN_CHECK(report.setting == "multi" || report.setting == "separate",
           "report: setting must be \"multi\" or \"separate\", got \"", report.setting, "\"");
  std::set<std::string> names;
  for (const ClassMetrics& c : report.classes)
    DN_CHECK(names.insert(c.name).second, "report: class \"", c.name, "\" appears twice");
}

nlohmann::ordered_json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

std::string percent(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *v * 100.0);
  return buf;
}

// The columns a deployed threshold adds to metrics.csv, in order.
const char* const kDecisionColumns = "threshold,fitted_on,fpr,recall,precision,tp,fp,tn,fn";

std::string optional_number(const std::optional<double>& v) { return v ? exact_number(*v) : ""; }

std::string decision_cells(const std::optional<Decisions>& d) {
  if (!d) return ",,,,,,,,";
  std::ostringstream out;
  out << exact_number(d->threshold) << ',' << d->fitted_on << ',' << optional_number(d->false_positive_rate()) << ','
      << optional_number(d->recall()) << ',' << optional_number(d->precision()) << ',' << d->tp << ',' << d->fp
      << ',' << d->tn << ',' << d->fn;
  return out.str();
}

nlohmann::ordered_json decisions_json(const std::optional<Decisions>& d) {
  if (!d) return nullptr;
  return {{"threshold", d->threshold}, {"fitted_on", d->fitted_on}, {"fpr", optional_json(d->false_positive_rate())},
          {"recall", optional_json(d->recall())}, {"precision", optional_json(d->precision())},
          {"tp", d->tp}, {"fp", d->fp}, {"tn", d->tn}, {"fn", d->fn}};
}

}  // namespace

nlohmann::ordered_json metrics_json(const RunReport& report) {
  check_report(report);
  nlohmann::ordered_json classes = nlohmann::ordered_json::object();
  for (const ClassMetrics& c : report.classes) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    for (int k = 0; k < kMetricCount; ++k) entry[kMetricKeys[k]] = optional_json(metric_value(c, k));
    entry["n_test"] = c.n_test;
    entry["n_anomalous"] = c.n_anomalous;
    entry["at_threshold"] = decisions_json(c.decisions);
    classes[c.name] = entry;
  }
  nlohmann::ordered_json mean = nlohmann::ordered_json::object();
  auto means = class_means(report);
  for (int k = 0; k < kMetricCount; ++k) mean[kMetricKeys[k]] = optional_json(means[k].value);
  return {{"setting", report.setting}, {"classes", classes}, {"mean", mean}};
}

std::string metrics_csv(const RunReport& report) {
  check_report(report);
  std::ostringstream out;
  out << "class";
  for (const char* key : kMetricKeys) out << ',' << key;
  out << ",n_test,n_anomalous," << kDecisionColumns << '\n';
  for (const ClassMetrics& c : report.classes) {
    out << csv_field(c.name);
    for (int k = 0; k < kMetricCount; ++k) {
      auto v = metric_value(c, k);
      out << ',' << (v ? exact_number(*v) : "");
    }
    out << ',' << c.n_test << ',' << c.n_anomalous << ',' << decision_cells(c.decisions) << '\n';
  }
  out << "mean";
  for (const MetricMean& m : class_means(report)) out << ',' << (m.value ? exact_number(*m.value) : "");
  out << ",,," << decision_cells(std::nullopt) << '\n';
  return out.str();
}

std::string metrics_markdown(const RunReport& report) {
  check_report(report);
  const int n = int(report.classes.size());
  std::ostringstream out;
  out << "# Evaluation (" << (report.setting == "multi" ? "multi-class: one model for all classes"
                                                         : "class-separated: one model per class")
      << ")\n\n| class |";
  for (const char* name : kMetricNames) out << ' ' << name << " |";
  out << " test images | anomalous |\n|---|";
  for (int k = 0; k < kMetricCount + 2; ++k) out << "---:|";
  out << '\n';
  for (const ClassMetrics& c : report.classes) {
    out << "| " << c.name << " |";
    for (int k = 0; k < kMetricCount; ++k) out << ' ' << percent(metric_value(c, k)) << " |";
    out << ' ' << c.n_test << " | " << c.n_anomalous << " |\n";
  }
  out << "| **mean** |";
  for (const MetricMean& m : class_means(report)) {
    out << ' ' << percent(m.value);
    if (m.defined < n && m.value) out << " (" << m.defined << '/' << n << ')';
    out << " |";
  }
  out << " | |\n\n";
  out << "Values in percent. The mean is unweighted: each class counts once, whatever its number "
         "of test images. A metric that is undefined for a class (\"-\": no anomalous test image, "
         "no normal one, or no ground-truth mask) is left out of that metric's mean, and the mean "
         "then says over how many classes it was taken, e.g. \"97.1 (14/15)\".\n\n";
  out << "I-: image level, ranking the image scores. P-: pixel level, ranking every pixel of the "
         "256x256 maps against the masks. F1max is the best F1 over all thresholds (the reference's "
         "f1_score_max). AUPRO is the reference's (Dinomaly utils.py compute_pro): 200 thresholds "
         "over the class's score range, rows with FPR < 0.3, FPR divided by the largest kept FPR, "
         "trapezoid area; not the standard MVTec AUPRO integrated to FPR 0.3.\n";
  bool any_streaming = false;
  for (const ClassMetrics& c : report.classes) any_streaming |= !c.pixel.exact;
  if (any_streaming) {
    out << "\nSome classes exceeded the memory budget for exact pixel metrics; their pixel metrics "
           "come from a streaming histogram, with these bounds on the error (fractions):\n\n"
           "| class | P-AUROC | P-AP | P-F1max | AUPRO |\n|---|---:|---:|---:|---:|\n";
    for (const ClassMetrics& c : report.classes) {
      if (c.pixel.exact) continue;
      out << "| " << c.name << " | " << c.pixel.auroc_bound << " | " << c.pixel.ap_bound << " | "
          << c.pixel.f1max_bound << " | " << c.pixel.aupro_bound << " |\n";
    }
  }
  bool any_standard = false;
  for (const ClassMetrics& c : report.classes) any_standard |= c.pixel.aupro_standard.has_value();
  if (any_standard) {
    out << "\nFor comparison, the standard MVTec AD AUPRO (the curve at every distinct score, "
           "integrated to FPR 0.3 with linear interpolation there, divided by 0.3):\n\n"
           "| class | AUPRO (reference) | AUPRO (standard) |\n|---|---:|---:|\n";
    for (const ClassMetrics& c : report.classes)
      out << "| " << c.name << " | " << percent(c.pixel.aupro) << " | " << percent(c.pixel.aupro_standard) << " |\n";
  }
  bool any_decisions = false;
  for (const ClassMetrics& c : report.classes) any_decisions |= c.decisions.has_value();
  if (any_decisions) {
    out << "\nAt the deployed image thresholds (fitted on held-out normal training images, the class's own "
           "or, where it has none, the pooled one; an image is anomalous when its score >= threshold):\n\n"
           "| class | threshold | fitted on | FPR | recall | precision | TP | FP | TN | FN |\n"
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const ClassMetrics& c : report.classes) {
      if (!c.decisions) continue;
      const Decisions& d = *c.decisions;
      char threshold[32];
      std::snprintf(threshold, sizeof threshold, "%.6g", d.threshold);
      out << "| " << c.name << " | " << threshold << " | " << d.fitted_on << " | "
          << percent(d.false_positive_rate()) << " | " << percent(d.recall()) << " | " << percent(d.precision())
          << " | " << d.tp << " | " << d.fp << " | " << d.tn << " | " << d.fn << " |\n";
    }
  }
  std::vector<std::string> warnings;
  for (const ClassMetrics& c : report.classes) warnings.insert(warnings.end(), c.warnings.begin(), c.warnings.end());
  if (!warnings.empty()) {
    out << "\n## Warnings\n\n";
    for (const std::string& w : warnings) out << "- " << w << '\n';
  }
  return out.str();
}

std::string scores_csv(const std::vector<ScoreRow>& rows) {
  std::ostringstream out;
  out << "class,path,label,score,picture\n";
  for (const ScoreRow& r : rows)
    out << csv_field(r.class_name) << ',' << csv_field(r.path) << ',' << r.label << ','
        << exact_number(r.score) << ',' << csv_field(r.picture) << '\n';
  return out.str();
}

std::string summary_table(const RunReport& report) {
  size_t width = 5;  // "class"
  for (const ClassMetrics& c : report.classes) width = std::max(width, c.name.size());
  std::ostringstream out;
  char buf[64];
  auto row = [&](const std::string& name, auto value_of) {
    std::snprintf(buf, sizeof buf, "%-*s", int(width), name.c_str());
    out << buf;
    for (int k = 0; k < kMetricCount; ++k) {
      std::snprintf(buf, sizeof buf, " %8s", percent(value_of(k)).c_str());
      out << buf;
    }
    out << '\n';
  };
  std::snprintf(buf, sizeof buf, "%-*s", int(width), "class");
  out << buf;
  for (const char* name : kMetricNames) {
    std::snprintf(buf, sizeof buf, " %8s", name);
    out << buf;
  }
  out << '\n';
  for (const ClassMetrics& c : report.classes) row(c.name, [&](int k) { return metric_value(c, k); });
  auto means = class_means(report);
  row("mean", [&](int k) { return means[k].value; });
  return out.str();
}

void print_summary(std::ostream& out, const RunReport& report) {
  out << summary_table(report);
  for (const ClassMetrics& c : report.classes)
    for (const std::string& w : c.warnings) out << "warning: " << w << '\n';
  out.flush();
}

void write_text_atomic(const std::string& path, const std::string& text) {
  io::write_file_atomic(path, [&](std::FILE* f) { io::write_bytes(f, text.data(), text.size(), path); });
}

void write_reports(const std::string& dir, const RunReport& report, const std::vector<ScoreRow>& rows) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  DN_CHECK(!ec, "write_reports: cannot create the directory ", dir, ": ", ec.message());
  const std::string base = dir.empty() ? std::string(".") : dir;
  write_text_atomic(base + "/metrics.json", metrics_json(report).dump(2) + "\n");
  write_text_atomic(base + "/metrics.csv", metrics_csv(report));
  write_text_atomic(base + "/metrics.md", metrics_markdown(report));
  write_text_atomic(base + "/scores.csv", scores_csv(rows));
}

}  // namespace dn::eval
