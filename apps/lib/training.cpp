#include "apps/lib/training.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "apps/lib/cli.h"
#include "apps/lib/scoring.h"
#include "apps/lib/skipped.h"
#include "apps/lib/threshold.h"
#include "apps/lib/weights.h"
#include "data/loader.h"
#include "models/encoder_cache.h"
#include "nn/init.h"
#include "tensor/io/atomic_file.h"
#include "tensor/io/checkpoint.h"
#include "tensor/ops.h"

namespace dn::app {

namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

struct CsvRow {
  int64_t step;
  double loss, lr, p, images_per_second;
};

// train.csv holds the rows up to the last checkpoint: it is rewritten, atomically, with
// every checkpoint, so it never runs ahead of the weights it describes.
void write_csv(const std::string& path, const std::vector<CsvRow>& rows) {
  std::ostringstream out;
  out << "step,loss,lr,p,img_s\n";
  char line[160];
  for (const CsvRow& r : rows) {
    std::snprintf(line, sizeof line, "%lld,%.8g,%.8g,%.6g,%.4g\n", (long long)r.step, r.loss, r.lr, r.p,
                  r.images_per_second);
    out << line;
  }
  const std::string text = out.str();
  io::write_file_atomic(path, [&](std::FILE* f) { io::write_bytes(f, text.data(), text.size(), path); });
}

std::vector<CsvRow> read_csv_before(const std::string& path, int64_t step) {
  std::vector<CsvRow> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    CsvRow r{};
    if (std::sscanf(line.c_str(), "%lld,%lf,%lf,%lf,%lf", (long long*)&r.step, &r.loss, &r.lr, &r.p,
                    &r.images_per_second) == 5 && r.step < step)
      rows.push_back(r);
  }
  return rows;
}

std::string format_duration(double seconds) {
  const long s = long(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

// Scores the held-out normal images and fits the operating points on them: pooled and per
// class (threshold.json), and keeps their scores per class (holdout_scores.json) so that
// predict --fpr can refit without scoring them again.
void fit_threshold(const std::string& unit_dir, models::Dinomaly& model, const data::SampleSet& holdout,
                   const data::Preprocess& preprocess, const TrainOptions& o, SkippedImages& skipped) {
  if (holdout.empty()) {
    std::fprintf(stderr, "note: no held-out images (--holdout 0): no threshold fitted; predict will "
                         "report raw scores only\n");
    return;
  }
  data::LoaderOptions lo;
  lo.batch_size = o.batch;
  lo.workers = o.workers;
  lo.skip_corrupt = o.skip_corrupt;
  lo.load_masks = false;
  data::Loader loader(holdout, preprocess, lo);
  HoldoutScores scores;                                 // per class
  std::map<std::string, std::vector<float>> map_values;  // per class, every pixel
  for (data::Batch b; loader.next(b);) {
    Scored s = score_batch(model, kernel::to(b.images, o.device));
    const std::vector<float> batch_scores = to_vector<float>(s.scores), maps = to_vector<float>(s.maps);
    const size_t pixels = maps.size() / size_t(b.size());
    for (int64_t i = 0; i < b.size(); ++i) {
      scores[b.classes[i]].push_back(batch_scores[i]);
      std::vector<float>& values = map_values[b.classes[i]];
      const auto first = maps.begin() + std::ptrdiff_t(size_t(i) * pixels);
      values.insert(values.end(), first, first + std::ptrdiff_t(pixels));
    }
  }
  skipped.add(loader.skipped());
  Thresholds t;
  std::vector<float> all_scores, all_values;
  for (const auto& [cls, s] : scores) {
    std::vector<float>& values = map_values[cls];
    all_scores.insert(all_scores.end(), s.begin(), s.end());
    t.classes[cls] = fit_operating_point(s, values, o.fpr);  // on a copy: the quantiles reorder it
    all_values.insert(all_values.end(), values.begin(), values.end());
    std::vector<float>().swap(values);  // the pooled copy holds them now: at most one class twice in memory
  }
  t.pooled = fit_operating_point(std::move(all_scores), std::move(all_values), o.fpr);
  write_holdout_scores(join_path(unit_dir, "holdout_scores.json"), scores);
  write_thresholds(join_path(unit_dir, "threshold.json"), t);
  std::fprintf(stderr, "threshold %.6g (pixels %.6g) fitted on %lld held-out normal images (target "
               "false-positive rate %g%s)\n", t.pooled.threshold, *t.pooled.pixel_threshold,
               (long long)t.pooled.holdout_images, t.pooled.fpr,
               t.pooled.image_fit == "maximum" ? "; too few images for it: their maximum" : "");
  if (t.classes.size() > 1)
    for (const auto& [cls, op] : t.classes)
      std::fprintf(stderr, "  %s: threshold %.6g (pixels %.6g) on %lld images%s\n", cls.c_str(), op.threshold,
                   *op.pixel_threshold, (long long)op.holdout_images, op.image_fit == "maximum" ? " (maximum)" : "");
}

}  // namespace

void install_interrupt_handler() { std::signal(SIGINT, on_sigint); }
bool interrupted() { return g_interrupted.load(); }

std::pair<data::SampleSet, data::SampleSet> split_holdout(const data::SampleSet& train, double fraction,
                                                          uint64_t seed) {
  DN_CHECK(fraction >= 0 && fraction < 1, "--holdout must be in [0, 1), got ", fraction);
  data::SampleSet used, held;
  used.classes = held.classes = train.classes;
  for (const std::string& cls : train.classes) {
    data::SampleSet c = train.only_class(cls);
    const int64_t n = int64_t(c.size());
    int64_t k = std::min<int64_t>(int64_t(std::llround(fraction * double(n))), n - 1);
    if (fraction > 0 && k == 0 && n >= 2) k = 1;
    // A deterministic shuffle of the indices (Fisher-Yates on a Philox stream).
    std::vector<int64_t> order(n);
    for (int64_t i = 0; i < n; ++i) order[i] = i;
    for (int64_t i = n - 1; i > 0; --i) {
      PhiloxBlock r = philox4x32_10(uint64_t(i), seed ^ 0x401d07ull);
      std::swap(order[i], order[r[0] % uint64_t(i + 1)]);
    }
    std::vector<bool> is_held(n, false);
    for (int64_t i = 0; i < k; ++i) is_held[order[i]] = true;
    for (int64_t i = 0; i < n; ++i) (is_held[i] ? held : used).samples.push_back(c.samples[i]);
  }
  return {used, held};
}

TrainOutcome train_unit(const std::string& unit_dir, models::Dinomaly& model, Generator& dropout_gen,
                        const data::SampleSet& full_train, const data::Preprocess& preprocess,
                        const TrainOptions& o, const std::string& label) {
  make_writable_dir(unit_dir);
  const std::string model_path = join_path(unit_dir, "model.safetensors");
  const std::string state_path = join_path(unit_dir, "optimizer.safetensors");
  const std::string csv_path = join_path(unit_dir, "train.csv");
  auto [train, holdout] = split_holdout(full_train, o.holdout, o.seed);
  DN_CHECK(int64_t(train.size()) >= o.batch, label, ": ", train.size(), " training images (after holding out ",
           holdout.size(), ") are fewer than one batch of ", o.batch, "; lower --batch or --holdout");

  models::Trainer trainer(model, o.recipe);
  TrainingState state;
  std::vector<CsvRow> rows;
  if (o.resume) {
    load_model(model_path, model);
    state = load_training_state(state_path, trainer.optimizer);
    dropout_gen.set_state(state.dropout_seed, state.dropout_offset);
    rows = read_csv_before(csv_path, state.step);
    std::fprintf(stderr, "%s: resuming at step %lld of %lld\n", label.c_str(), (long long)state.step,
                 (long long)o.recipe.iters);
  } else {
    if (o.init.empty()) {
      Generator init_gen(o.seed);
      model.init_trainable(init_gen);
    } else {
      load_trainable_weights(model, o.init);
    }
  }

  auto checkpoint = [&](int64_t next_step) {
    state.step = next_step;
    state.dropout_seed = dropout_gen.seed();
    state.dropout_offset = dropout_gen.offset();
    save_model(model_path, model);
    save_training_state(state_path, trainer.optimizer, state);
    write_csv(csv_path, rows);
  };

  data::LoaderOptions lo;
  lo.batch_size = o.batch;
  lo.shuffle = o.shuffle;
  lo.drop_last = true;
  lo.seed = o.seed;
  lo.epochs = 0;
  lo.start_batch = state.step;
  lo.workers = o.workers;
  lo.cache = o.cache;
  lo.load_masks = false;
  lo.skip_corrupt = o.skip_corrupt;
  data::Loader loader(train, preprocess, lo);

  // Built afresh (empty) on every start, a resumed one too: it fills as the images come.
  std::unique_ptr<models::EncoderCache> encoder_cache;
  if (o.cache_encoder) {
    encoder_cache = std::make_unique<models::EncoderCache>(o.cache_encoder_bytes);
    const size_t per_image = models::EncoderCache::bytes_per_image(model.config, preprocess.crop);
    const int64_t n = int64_t(train.size());
    const int64_t fit = int64_t(std::min<size_t>(o.cache_encoder_bytes / per_image, size_t(n)));
    std::fprintf(stderr, "%s: encoder cache: %.3g MB per image; %lld of the %lld training images fit in %.3g GB%s\n",
                 label.c_str(), double(per_image) / 1048576.0, (long long)fit, (long long)n,
                 double(o.cache_encoder_bytes) / double(size_t(1) << 30),
                 fit < n ? " (the others are encoded at every step they are in)" : "");
  }

  const bool tty = stderr_is_terminal();
  const auto t0 = std::chrono::steady_clock::now();
  auto last = t0;
  int64_t done_here = 0;
  for (int64_t it = state.step; it < o.recipe.iters; ++it) {
    data::Batch b;
    DN_CHECK(loader.next(b), label, ": the data loader ended early");
    models::StepResult r;
    try {
      const Tensor images = kernel::to(b.images, o.device);
      r = encoder_cache ? trainer.step(encoder_cache->get(model, images, b.indices), it) : trainer.step(images, it);
    } catch (const models::NonFiniteLoss& e) {
      fail(label, ": ", e.what(), "; stopped. The last good checkpoint (step ", state.step, ") is kept in ",
           unit_dir, ". Lower --lr or add --linear-attention-eps 1e-6 and --resume.");
    }
    const auto now = std::chrono::steady_clock::now();
    const double step_s = std::chrono::duration<double>(now - last).count();
    last = now;
    ++done_here;
    const double elapsed = std::chrono::duration<double>(now - t0).count();
    const double ips = double(o.batch) * double(done_here) / std::max(elapsed, 1e-9);
    rows.push_back({it, r.loss, r.lr, r.p, double(o.batch) / std::max(step_s, 1e-9)});
    const double eta = double(o.recipe.iters - it - 1) * elapsed / double(done_here);
    const bool last_step = it + 1 == o.recipe.iters;
    if (tty || it % 10 == 0 || last_step) {
      std::fprintf(stderr, "%s%s step %lld/%lld  loss %.4f  lr %.2e  p %.3f  %.1f img/s  ETA %s%s",
                   tty ? "\r" : "", label.c_str(), (long long)(it + 1), (long long)o.recipe.iters, r.loss, r.lr,
                   r.p, ips, format_duration(eta).c_str(), tty ? "   " : "\n");
      std::fflush(stderr);
    }
    const bool save_now = o.save_every > 0 && (it + 1) % o.save_every == 0;
    if (save_now && !last_step) checkpoint(it + 1);
    if (interrupted() || it + 1 == o.stop_after) {
      checkpoint(it + 1);
      std::fprintf(stderr, "%s%s: stopped after step %lld; checkpoint saved in %s (continue with --resume)\n",
                   tty ? "\n" : "", label.c_str(), (long long)(it + 1), unit_dir.c_str());
      return TrainOutcome::interrupted;
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  if (encoder_cache)
    std::fprintf(stderr, "%s: encoder cache: %lld images held (%.1f MB); %lld image encodings read from it, %lld computed\n",
                 label.c_str(), (long long)encoder_cache->images(), double(encoder_cache->bytes()) / 1048576.0,
                 (long long)encoder_cache->hits(), (long long)encoder_cache->misses());
  checkpoint(o.recipe.iters);
  SkippedImages skipped;
  skipped.add(loader.skipped());  // the images training reached: all once an epoch is done
  fit_threshold(unit_dir, model, holdout, preprocess, o, skipped);
  if (o.skip_corrupt) skipped.write(unit_dir, label);
  return TrainOutcome::finished;
}

}  // namespace dn::app
