// The files an evaluation leaves behind, and the table printed at the end of a run.
//
//   metrics.json  {"setting", "classes": {cls: {i_auroc, i_ap, i_f1max, p_auroc, p_ap,
//                  p_f1max, p_aupro, n_test, n_anomalous, at_threshold}}, "mean": {the seven}}
//                 fractions in [0, 1]; null where a metric is undefined. at_threshold: what
//                 the run's deployed threshold does on the class's test images {threshold,
//                 fitted_on, fpr, recall, precision, tp, fp, tn, fn}, null without one
//   metrics.csv   one row per class, then the mean row; an undefined value is an empty cell;
//                 after n_anomalous the at_threshold values (empty without a threshold)
//   metrics.md    the table in percent, how the mean treats undefined values, the AUPRO
//                 definition, and every warning
//   scores.csv    class,path,label,score,picture: one row per test image; picture is its
//                 strip's file relative to the folder (vis/<class>/<name>.png), or empty
// The mean over classes is unweighted (each class counts once, as in the paper) and taken
// over the classes where the metric is defined; it is null when no class defines it.
#pragma once
#include <array>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/class_evaluator.h"

namespace dn::eval {

struct RunReport {
  std::string setting;  // "multi" (one model for all classes) or "separate"
  std::vector<ClassMetrics> classes;
};

// The seven metrics, in the paper's column order.
constexpr int kMetricCount = 7;
extern const std::array<const char*, kMetricCount> kMetricKeys;   // "i_auroc", ...
extern const std::array<const char*, kMetricCount> kMetricNames;  // "I-AUROC", ...
std::optional<double> metric_value(const ClassMetrics& c, int k);

struct MetricMean {
  std::optional<double> value;
  int defined = 0;  // how many classes define the metric
};
std::array<MetricMean, kMetricCount> class_means(const RunReport& report);

nlohmann::ordered_json metrics_json(const RunReport& report);
std::string metrics_csv(const RunReport& report);
std::string metrics_markdown(const RunReport& report);
std::string scores_csv(const std::vector<ScoreRow>& rows);
// Per class and mean, in percent with one decimal (like the paper), "-" for undefined.
std::string summary_table(const RunReport& report);
// What a run prints at its end: the table, then the warnings (undefined metrics, streaming
// error bounds), one per line.
void print_summary(std::ostream& out, const RunReport& report);

// Writes the four files into `dir` (created if missing), each atomically. Throws dn::Error
// naming the file on failure, and on a setting other than "multi" or "separate".
void write_reports(const std::string& dir, const RunReport& report, const std::vector<ScoreRow>& rows);

// Writes `text` to `path` atomically (temporary file, flush, fsync, rename).
void write_text_atomic(const std::string& path, const std::string& text);

}  // namespace dn::eval
