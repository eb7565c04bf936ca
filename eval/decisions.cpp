#include "eval/decisions.h"

#include "eval/class_evaluator.h"

namespace dn::eval {

namespace {

std::optional<double> ratio(int64_t part, int64_t whole) {
  return whole > 0 ? std::optional<double>(double(part) / double(whole)) : std::nullopt;
}

}  // namespace

std::optional<double> Decisions::false_positive_rate() const { return ratio(fp, fp + tn); }
std::optional<double> Decisions::recall() const { return ratio(tp, tp + fn); }
std::optional<double> Decisions::precision() const { return ratio(tp, tp + fp); }

Decisions count_decisions(std::span<const ScoreRow> rows, double threshold, std::string fitted_on) {
  Decisions d;
  d.threshold = threshold;
  d.fitted_on = std::move(fitted_on);
  for (const ScoreRow& r : rows) {
    const bool flagged = double(r.score) >= threshold;  // as OperatingPoint::anomalous decides
    if (r.label == 1) (flagged ? d.tp : d.fn)++;
    else (flagged ? d.fp : d.tn)++;
  }
  return d;
}

}  // namespace dn::eval
