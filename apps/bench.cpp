// bench: how fast Dinomaly trains and infers here, as one JSON line (docs/architecture.md §4):
//
//   bench --encoder vits14 --crop 224 --batch 8 --threads 2 --steps 5
//   {"train_img_s": ..., "infer_img_s": ..., "peak_rss_mb": ..., ...}
//
// The encoder gets random weights (speed does not depend on them). A training step is the
// reference's (frozen encoder forward, bottleneck, decoder, hard-mining loss, backward,
// clip, StableAdamW); inference is the forward plus the anomaly map and score. The first
// step of each is a warm-up and is not timed. tools/bench/bench_model.sh runs this beside
// the same model in PyTorch (tools/bench/bench_model_torch.py).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "apps/lib/cli.h"
#include "apps/lib/scoring.h"
#include "apps/lib/weights.h"
#include "models/encoder_cache.h"
#include "models/train_step.h"
#include "tensor/cpu/matmul_bf16.h"
#include "tensor/cpu_cache.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/ops.h"
#include "tensor/settings.h"

using namespace dn;
using namespace dn::app;

namespace {
double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}
// CPU time of the process (user + system, all threads): less sensitive than wall time to
// other processes on a shared machine, though time a thread spends spinning counts.
double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
// Minor page faults of the process so far: each first touch of a fresh page (4 KiB, or 2 MiB
// with huge pages) of memory the allocator got from the kernel.
long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}
// steady_clock is CLOCK_MONOTONIC on Linux: the clock `perf record -k CLOCK_MONOTONIC` stamps its
// samples with, so infer_from/to_clock_s below pick the timed steps' samples out of a profile.
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Floating-point operations of the matrix products (2 per multiply-add; elementwise work is
// not counted) for one image, forward only or a whole training step. With T tokens of
// width D, H heads of width dh = D/H, and the MLP hidden size 4D:
//   encoder block   24·T·D² (qkv, proj, MLP) + 4·T²·D (q·kᵀ and attention·v)
//   decoder block   24·T·D² + 4·T·D·dh + 2·T·D (linear attention: kᵀ·v, q·kv, q·Σk)
//   bottleneck      16·T·D²
// A training step adds the backward of the bottleneck and decoder: twice their forward
// (input and weight gradients), except the bottleneck's first layer, whose input (the frozen
// encoder's output) needs no gradient.
struct Flops {
  double infer = 0, train = 0, encoder = 0;  // (a cached-encoder step skips `encoder`)
};
Flops model_flops(const models::DinomalyConfig& c, int64_t crop) {
  const auto& e = c.encoder;
  const double patches = double(crop / e.patch) * double(crop / e.patch);
  const double t = 1 + double(e.registers) + patches, d = double(e.dim), dh = d / double(e.heads);
  const double patch_embed = 2 * patches * d * 3 * double(e.patch * e.patch);
  const double encoder = patch_embed + double(c.target_layers.back() + 1) * (24 * t * d * d + 4 * t * t * d);
  const double decoder = double(c.decoder_depth) * (24 * t * d * d + 4 * t * d * dh + 2 * t * d);
  const double fc = 8 * t * d * d;  // one bottleneck layer
  return {encoder + decoder + 2 * fc, encoder + 3 * decoder + 2 * fc + 3 * fc, encoder};
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench: Dinomaly training-step and inference throughput, as one JSON line"};
  CommonOptions common;
  common.threads = 2;
  add_common_options(app, common);
  std::string encoder = "vits14", mode = "both";
  int64_t crop = 224, batch = 8, steps = 5;
  app.add_option("--encoder", encoder, "encoder configuration")->capture_default_str();
  app.add_option("--crop", crop, "input side (a multiple of 14)")->capture_default_str();
  app.add_option("--batch", batch, "batch size")->capture_default_str();
  app.add_option("--steps", steps, "timed steps of each kind (after one warm-up)")->capture_default_str();
  std::string matmul = "fp32";
  app.add_option("--matmul", matmul,
                 "precision of the Linear layers' products on the CPU: fp32; bf16 (bfloat16 inputs on "
                 "AMX, else AVX512-BF16); or bf16-encoder (bf16 for the frozen encoder alone)")
      ->check(CLI::IsMember({"fp32", "bf16", "bf16-encoder"}))
      ->capture_default_str();
  bool cache_encoder = false;
  app.add_flag("--cache-encoder", cache_encoder,
               "training steps read the frozen encoder's outputs from a per-image cache (an option "
               "of training: no augmentation, so they never change); filled by the warm-up step");
  app.add_option("--mode", mode, "train, infer or both")->check(CLI::IsMember({"train", "infer", "both"}))
      ->capture_default_str();
  return run_app("bench", app, argc, argv, [&]() -> int {
    const Device device = apply_common_options(common);
    cpu::set_matmul_precision(matmul == "bf16"           ? cpu::MatmulPrecision::bf16
                              : matmul == "bf16-encoder" ? cpu::MatmulPrecision::bf16_encoder
                                                         : cpu::MatmulPrecision::fp32);
    DN_CHECK(steps >= 1 && batch >= 1, "--steps and --batch must be positive");
    models::DinomalyConfig cfg = models::default_config(encoder);
    cfg.crop = cfg.resize = crop;
    cfg.validate();
    Generator dropout_gen(common.seed);
    models::Dinomaly model(cfg, &dropout_gen, {DType::f32, device});
    randomize_encoder_weights(*model.encoder, common.seed);
    Generator init_gen(common.seed);
    model.init_trainable(init_gen);
    Generator data_gen(common.seed + 1);
    Tensor images = kernel::to(kernel::normal({batch, 3, crop, crop}, 0, 1, data_gen), device);
    const double rss_before = peak_rss_mb();  // the model and the input, before any step

    double train_s = 0, infer_s = 0, train_cpu = 0, infer_cpu = 0;
    double infer_from = 0, infer_to = 0;  // CLOCK_MONOTONIC around the timed inference steps (for a profiler)
    double train_min = 1e300, infer_min = 1e300;  // the fastest single step: robust to bursts of load
    size_t train_peak = 0, infer_peak = 0;
    double train_faults = 0, infer_faults = 0;  // minor page faults per timed step
    double train_fresh = 0;  // blocks of 64 KiB and more not served by the cache, per step
    if (mode != "infer") {
      models::TrainRecipe recipe;
      recipe.warmup = 1;
      models::Trainer trainer(model, recipe);
      models::EncoderCache cache(size_t(4) << 30);
      std::vector<int64_t> keys(static_cast<size_t>(batch));
      for (int64_t i = 0; i < batch; ++i) keys[size_t(i)] = i;
      auto train_step = [&](int64_t it) {
        if (cache_encoder) trainer.step(cache.get(model, images, keys), it);
        else trainer.step(images, it);
      };
      train_step(0);
      reset_cpu_peak_memory();
      const size_t base = cpu_memory_stats().current_bytes;
      const double t0 = now_s(), c0 = cpu_s();
      const long f0 = minor_faults();
      const size_t fresh0 = cpu_cache::stats().fresh_blocks;
      for (int64_t i = 1; i <= steps; ++i) {
        const double s0 = now_s();
        train_step(1000 + i);
        cuda::synchronize();
        train_min = std::min(train_min, now_s() - s0);
      }
      cuda::synchronize();
      train_s = (now_s() - t0) / double(steps);
      train_cpu = (cpu_s() - c0) / double(steps);
      train_faults = double(minor_faults() - f0) / double(steps);
      train_fresh = double(cpu_cache::stats().fresh_blocks - fresh0) / double(steps);
      train_peak = cpu_memory_stats().peak_bytes - base;
    }
    if (mode != "train") {
      score_batch(model, images);
      reset_cpu_peak_memory();
      const size_t base = cpu_memory_stats().current_bytes;
      const double t0 = now_s(), c0 = cpu_s();
      const long f0 = minor_faults();
      for (int64_t i = 0; i < steps; ++i) {
        const double s0 = now_s();
        score_batch(model, images);
        cuda::synchronize();
        infer_min = std::min(infer_min, now_s() - s0);
      }
      cuda::synchronize();
      infer_from = t0;
      infer_to = now_s();
      infer_s = (infer_to - t0) / double(steps);
      infer_cpu = (cpu_s() - c0) / double(steps);
      infer_faults = double(minor_faults() - f0) / double(steps);
      infer_peak = cpu_memory_stats().peak_bytes - base;
    }
    const Flops flops = model_flops(cfg, crop);
    std::string wait_policy = settings::openmp_wait_policy();  // as run_app left it, or the user's
    if (wait_policy.empty()) wait_policy = "default";
    const double train_gflop = (flops.train - (cache_encoder ? flops.encoder : 0.0)) * double(batch) / 1e9, infer_gflop = flops.infer * double(batch) / 1e9;
    std::printf("{\"project\": \"dinomaly.cpp\", \"encoder\": \"%s\", \"crop\": %lld, \"batch\": %lld, "
                "\"threads\": %d, \"device\": \"%s\", \"matmul\": \"%s\", \"cache_encoder\": %s, \"mode\": \"%s\", "
                "\"steps\": %lld, \"train_img_s\": %.4g, "
                "\"infer_img_s\": %.4g, \"train_step_s\": %.4g, \"infer_step_s\": %.4g, "
                "\"train_min_s\": %.4g, \"infer_min_s\": %.4g, \"train_cpu_s\": %.4g, \"infer_cpu_s\": %.4g, "
                "\"train_gflop\": %.4g, \"infer_gflop\": %.4g, \"train_gflops\": %.4g, \"infer_gflops\": %.4g, "
                "\"train_peak_tensor_mb\": %.1f, \"infer_peak_tensor_mb\": %.1f, \"rss_before_mb\": %.1f, "
                "\"peak_rss_mb\": %.1f, \"infer_from_clock_s\": %.6f, \"infer_to_clock_s\": %.6f, "
                "\"omp_wait_policy\": \"%s\", \"train_faults_per_step\": %.0f, \"infer_faults_per_step\": %.0f, "
                "\"train_fresh_blocks_per_step\": %.1f}\n",
                encoder.c_str(), (long long)crop, (long long)batch, common.threads, device.str().c_str(),
                matmul.c_str(), cache_encoder ? "true" : "false", mode.c_str(), (long long)steps, train_s > 0 ? double(batch) / train_s : 0.0,
                infer_s > 0 ? double(batch) / infer_s : 0.0, train_s, infer_s, train_s > 0 ? train_min : 0.0, infer_s > 0 ? infer_min : 0.0, train_cpu, infer_cpu, train_gflop, infer_gflop,
                train_s > 0 ? train_gflop / train_s : 0.0, infer_s > 0 ? infer_gflop / infer_s : 0.0,
                double(train_peak) / 1048576.0, double(infer_peak) / 1048576.0, rss_before, peak_rss_mb(),
                infer_from, infer_to, wait_policy.c_str(), train_faults, infer_faults, train_fresh);
    return 0;
  });
}
