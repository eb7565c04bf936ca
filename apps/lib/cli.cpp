#include "apps/lib/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "apps/lib/load_run.h"
#include "tensor/settings.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/error.h"

namespace dn::app {

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--threads", o.threads, "CPU threads (default: all cores)");
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.footer("Environment: DN_CPU_MATMUL=bf16 runs every Linear layer's products with bfloat16 "
             "inputs and float32 sums (AMX, else AVX512-BF16, where the CPU has one), "
             "DN_CPU_MATMUL=bf16-encoder the frozen encoder's alone; all variables: docs/settings.md");
}

void add_model_source_options(CLI::App& app, ModelSource& s) {
  auto* run_opt = app.add_option("--run", s.run_dir, "run directory made by train");
  auto* ckpt_opt = app.add_option("--checkpoint", s.checkpoint, "a Dinomaly checkpoint instead of a run (ViTill "
                                  "state_dict, e.g. the authors' released .pth)");
  run_opt->excludes(ckpt_opt);
  app.add_option("--encoder", s.encoder, "with --checkpoint: the encoder configuration")->capture_default_str();
  app.add_option("--encoder-weights", s.encoder_weights, "with --checkpoint: encoder weights, if the checkpoint "
                 "does not hold them");
  app.add_option("--resize", s.resize, "with --checkpoint: resize side")->capture_default_str();
  app.add_option("--crop", s.crop, "with --checkpoint: crop side")->capture_default_str();
}

Device apply_common_options(const CommonOptions& o) {
  DN_CHECK(o.threads >= 0, "--threads must be positive, got ", o.threads);
  return select_device(o.device, o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency())));
}

Device select_device(const std::string& device, int threads) {
  DN_CHECK(threads >= 0, "threads must be 0 (keep the setting) or positive, got ", threads);
  if (threads > 0) cpu::set_num_threads(threads);
  Device d = parse_device(device);
  if (d.is_cuda()) {
    DN_CHECK(cuda::built_with_cuda(), "device ", device, ": this build has no CUDA backend "
             "(configure with -Dcuda=enabled)");
    const int n = cuda::device_count();
    DN_CHECK(d.index < n, "device ", device, ": no such CUDA device (", n, " found)");
  }
  return d;
}

// OpenMP threads that wait (at a parallel region's end, for the next one) sleep instead of
// spinning, unless the user chose (OMP_WAIT_POLICY, or libgomp's GOMP_SPINCOUNT). The OpenMP
// runtime reads these once, when it is loaded, before main: so the process sets the variable
// and executes itself again, once (the variable, then set, stops a second time). Why: libgomp's
// default spins a waiting thread for up to ~300 000 iterations; our parallel loops give each
// thread one equal block, and when the machine is shared a thread that lost its core for a
// moment keeps the other spinning on the other core, taking CPU from everyone, itself included.
// Measured on 2 shared cores (load average 11-14), ViT-S 224 inference at batch 8: 7.0-10.1 s
// and 3.4-3.9 CPU s per batch with spinning, 4.2-5.0 s and 1.9-2.0 CPU s with passive waits,
// 41% of the spinning runs' CPU samples being libgomp's wait loop (docs/benchmarks.md). An
// idle machine pays a futex wake-up per region instead: on 2 idle cores (load 1.8, three
// interleaved rounds) the two were within the rounds' noise, ViT-S 224 batch 8 training 1.73-1.93
// s per step spinning against 1.76-2.06 s passive, inference 0.91-1.00 against 0.91-0.97 s; at
// batch 1 training 0.31-0.39 against 0.35-0.43 s. OMP_WAIT_POLICY=active restores spinning. If the execution fails (no /proc), the process
// goes on as it is.
void prefer_passive_omp_wait(char** argv) {
  if (!settings::openmp_wait_policy().empty()) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 0) != 0) return;
  execv("/proc/self/exe", argv);
}

int run_app(const char* name, CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  prefer_passive_omp_wait(argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s (see --help)\n", name, e.what());
    return 2;
  }
  try {
    return body();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: error: out of memory\n", name);
  } catch (const std::exception& e) {
    std::string message = e.what();
    const std::string prefix = std::string(name) + ": ";
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
    for (char& c : message)
      if (c == '\n') c = ' ';  // one line
    std::fprintf(stderr, "%s: error: %s\n", name, message.c_str());
  }
  return 1;
}

bool stderr_is_terminal() { return isatty(fileno(stderr)) != 0; }

}  // namespace dn::app
