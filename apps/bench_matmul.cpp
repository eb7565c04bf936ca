// bench_matmul: the project's float32 matrix product against OpenBLAS sgemm (through numpy),
// both measured in the same run.
//
// The machine is shared and noisy, so the two libraries are interleaved: each round times
// every shape once with the project and once with numpy (alternating which goes first), and
// the table reports the median over rounds of each side's GFLOP/s and of the per-round ratio
// (the two measurements of a round are taken back to back, so both saw the same machine). numpy runs in a child process
// (tools/bench/bench_matmul_numpy.py) that answers timing requests over a pipe.
//
// The project side calls dn::kernel::matmul, the op the model calls, with transposed
// operands passed as transposed views, exactly as Linear's forward and backward pass them.
//
//   bench_matmul [--threads 2] [--rounds 9] [--seconds 0.1] [--gap 0.15] [--filter TEXT] [--exclude TEXT]
//                [--python /usr/bin/python3] [--numpy-script PATH] [--no-numpy]
//                [--openblas-coretype NAME|auto] [--bf16]
//
// --bf16 also times, in the same rounds, the project's bfloat16 product (dn::kernel::
// matmul_bf16: AMX, else AVX512-BF16; the Linear layers' option, tensor/cpu/matmul_bf16.h) on
// the unbatched shapes, and adds its GFLOP/s and its ratios to the float32 product and to
// OpenBLAS.
//
// OpenBLAS picks its kernels from the CPU model, and Debian's 0.3.21 does not know recent
// Xeons (family 6, model 207 here): it falls back to its SSE3 "Prescott" kernels, about ten
// times slower than its AVX-512 ones. Comparing against that would flatter the project, so
// on an AVX-512 machine the benchmark asks OpenBLAS for its SkylakeX kernels
// (OPENBLAS_CORETYPE=SkylakeX) unless OPENBLAS_CORETYPE is already set or
// --openblas-coretype says otherwise ("auto": OpenBLAS's own choice).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <omp.h>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/matmul_bf16.h"
#include "tensor/ops.h"

namespace {

// One product a[m, k] · b[k, n] (batch of them when batch > 1). a_t / b_t: the operand is a
// transposed view of a stored [k, m] / [n, k] matrix.
struct Case {
  const char* use;  // where the model runs this product
  int64_t m, k, n;
  bool a_t = false, b_t = false;
  int64_t batch = 1;

  double flops() const { return 2.0 * double(batch) * double(m) * double(k) * double(n); }
};

// ViT-S/14 at crop 224 with batch 8 (then ViT-B, below): 8 images x 261 tokens (256 patches, cls, 4 registers)
// = 2088 rows; width 384, MLP 1536, 6 heads of 64. A Linear y = x·Wᵀ runs three products:
// forward x·Wᵀ (b transposed), input gradient g·W (plain), weight gradient gᵀ·x (a transposed).
std::vector<Case> benchmark_cases() {
  return {
      {"square", 1024, 1024, 1024},
      // The three Linear shapes of ViT-S, as plain products ...
      {"qkv shape, plain", 2088, 384, 1152},
      {"fc1 shape, plain (fc2 dx)", 2088, 384, 1536},
      {"fc2 shape, plain (fc1 dx)", 2088, 1536, 384},
      // ... and as the model runs them: Linear forwards x·Wᵀ.
      {"qkv forward x*Wt", 2088, 384, 1152, false, true},
      {"fc1 forward x*Wt", 2088, 384, 1536, false, true},
      {"fc2 forward x*Wt", 2088, 1536, 384, false, true},
      // Backward: input gradient g·W and weight gradients gᵀ·x.
      {"qkv dx g*W", 2088, 1152, 384},
      {"qkv dW gt*x", 1152, 2088, 384, true, false},
      {"fc1 dW gt*x", 1536, 2088, 384, true, false},
      {"fc2 dW gt*x", 384, 2088, 1536, true, false},
      // Attention, 8 images x 6 heads: q·kᵀ and attn·v.
      {"attention q*kt (48x)", 261, 64, 261, false, true, 48},
      {"attention attn*v (48x)", 261, 261, 64, false, false, 48},
      // ViT-B/14 at 224, batch 8 (2088 rows; width 768, MLP 3072, 12 heads of 64) ...
      {"ViT-B qkv forward x*Wt", 2088, 768, 2304, false, true},
      {"ViT-B fc1 forward x*Wt", 2088, 768, 3072, false, true},
      {"ViT-B fc2 forward x*Wt", 2088, 3072, 768, false, true},
      {"ViT-B fc1 dx g*W", 2088, 3072, 768},
      {"ViT-B fc1 dW gt*x", 3072, 2088, 768, true, false},
      {"ViT-B attention q*kt (96x)", 261, 64, 261, false, true, 96},
      // ... and at 392, batch 16, the paper's setting: 16 x 789 tokens (784 patches, cls,
      // 4 registers) = 12624 rows.
      {"ViT-B 392 qkv forward", 12624, 768, 2304, false, true},
      {"ViT-B 392 fc1 forward", 12624, 768, 3072, false, true},
      {"ViT-B 392 fc2 forward", 12624, 3072, 768, false, true},
      {"ViT-B 392 fc2 dW gt*x", 768, 12624, 3072, true, false},
  };
}

std::string layout_of(const Case& c) {
  return std::string(c.a_t ? "At" : "A") + (c.b_t ? "*Bt" : "*B");
}

std::string shape_of(const Case& c) {
  char text[96];
  std::snprintf(text, sizeof text, "[%lldx%lld]*[%lldx%lld]", (long long)c.m, (long long)c.k,
                (long long)c.k, (long long)c.n);
  return c.batch > 1 ? std::to_string(c.batch) + "x " + text : text;
}

// A [batch, rows, cols] operand (batch dim dropped when 1), transposed view when asked.
dn::Tensor make_operand(int64_t batch, int64_t rows, int64_t cols, bool transposed,
                        dn::Generator& gen) {
  dn::Shape stored = transposed ? dn::Shape{batch, cols, rows} : dn::Shape{batch, rows, cols};
  dn::Tensor x = dn::kernel::uniform(stored, -1.0, 1.0, gen);
  if (transposed) x = dn::kernel::transpose(x, 1, 2);
  return batch == 1 ? dn::kernel::squeeze(x, 0) : x;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The project side: the operands of one case, kept between rounds.
struct ProjectCase {
  dn::Tensor a, b;

  double seconds(int reps) const {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) dn::Tensor out = dn::kernel::matmul(a, b);
    return seconds_since(start);
  }
  double seconds_bf16(int reps) const {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) dn::Tensor out = dn::kernel::matmul_bf16(a, b);
    return seconds_since(start);
  }
};

// The numpy side: a child process running bench_matmul_numpy.py, one request per line.
class NumpyPeer {
 public:
  // Starts the child; on failure returns false and says why.
  bool start(const std::string& python, const std::string& script, int threads,
             const std::string& coretype, std::string& why) {
    if (!std::filesystem::exists(script)) {
      why = "numpy script not found: " + script;
      return false;
    }
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) {
      why = "pipe() failed";
      return false;
    }
    pid_ = fork();
    if (pid_ < 0) {
      why = "fork() failed";
      return false;
    }
    if (pid_ == 0) {  // child: stdin/stdout are the pipes; OpenBLAS gets the same threads
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[1]);
      close(from_child[0]);
      const std::string t = std::to_string(threads);
      setenv("OPENBLAS_NUM_THREADS", t.c_str(), 1);
      setenv("OMP_NUM_THREADS", t.c_str(), 1);
      if (coretype == "auto") unsetenv("OPENBLAS_CORETYPE");
      else if (!coretype.empty()) setenv("OPENBLAS_CORETYPE", coretype.c_str(), 1);
      execl(python.c_str(), python.c_str(), script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    to_ = fdopen(to_child[1], "w");
    from_ = fdopen(from_child[0], "r");
    const std::string hello = read_line();
    if (hello.rfind("ready ", 0) != 0) {
      why = "'" + python + " " + script + "' did not start (numpy missing?)";
      stop();
      return false;
    }
    description_ = hello.substr(6);
    return true;
  }

  // "<library> <version> <architecture> <threads>" as the child reported it.
  const std::string& description() const { return description_; }

  // Seconds for `reps` products of this case, or a negative value if the child failed.
  double seconds(const Case& c, int reps) {
    std::fprintf(to_, "time %lld %lld %lld %lld %d %d %d\n", (long long)c.m, (long long)c.k,
                 (long long)c.n, (long long)c.batch, int(c.a_t), int(c.b_t), reps);
    std::fflush(to_);
    const std::string answer = read_line();
    return answer.empty() ? -1.0 : std::atof(answer.c_str());
  }

  void stop() {
    if (to_) {
      std::fputs("quit\n", to_);
      std::fclose(to_);
      to_ = nullptr;
    }
    if (from_) {
      std::fclose(from_);
      from_ = nullptr;
    }
    if (pid_ > 0) {
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  ~NumpyPeer() { stop(); }

 private:
  std::string read_line() {
    char buf[512];
    if (!from_ || !std::fgets(buf, sizeof buf, from_)) return "";
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
  std::string description_;
};

// The 1-minute load average ("?" where /proc is missing): the figures mean little when it
// is well above the thread count, since then the benchmark shares its cores.
std::string load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  double load = -1;
  if (f) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", load);
  return load < 0 ? "?" : text;
}

void pause(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

struct Options {
  int threads = 2;
  int rounds = 9;
  double seconds = 0.1;  // length of one timed burst of products
  std::string python = "/usr/bin/python3";
  std::string numpy_script = DN_SOURCE_ROOT "/tools/bench/bench_matmul_numpy.py";
  bool numpy = true;
  // Idle time before each burst. Both libraries keep their worker threads spinning for a
  // while after a product (OpenBLAS about 2^28 cycles, 0.13 s at 2.1 GHz; libgomp less),
  // and a spinning neighbour takes CPU from whoever runs next. After the gap both are asleep.
  double gap = 0.15;
  std::string filter;    // only the cases whose "use" contains this text
  std::string exclude;   // and does not contain this one (when not empty)
  std::string coretype;  // OPENBLAS_CORETYPE for the numpy child; empty: see default_coretype
  bool bf16 = false;     // also time the bfloat16 product
};

// SkylakeX on an AVX-512 CPU (see the top of the file), unless the environment chose.
std::string default_coretype() {
  if (std::getenv("OPENBLAS_CORETYPE")) return "";
  return __builtin_cpu_supports("avx512f") ? "SkylakeX" : "";
}

Options parse_options(int argc, char** argv) {
  Options o;
  o.coretype = default_coretype();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_matmul: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--threads") o.threads = std::max(1, std::atoi(value().c_str()));
    else if (arg == "--rounds") o.rounds = std::max(1, std::atoi(value().c_str()));
    else if (arg == "--seconds") o.seconds = std::max(0.001, std::atof(value().c_str()));
    else if (arg == "--python") o.python = value();
    else if (arg == "--numpy-script") o.numpy_script = value();
    else if (arg == "--no-numpy") o.numpy = false;
    else if (arg == "--filter") o.filter = value();
    else if (arg == "--exclude") o.exclude = value();
    else if (arg == "--gap") o.gap = std::max(0.0, std::atof(value().c_str()));
    else if (arg == "--openblas-coretype") o.coretype = value();
    else if (arg == "--bf16") o.bf16 = true;
    else {
      std::fprintf(stderr,
                   "usage: bench_matmul [--threads N] [--rounds N] [--seconds S] "
                   "[--filter TEXT] [--exclude TEXT] [--gap S] [--python PATH] [--numpy-script PATH] [--no-numpy] "
                   "[--openblas-coretype NAME|auto] [--bf16]\n");
      std::exit(arg == "--help" || arg == "-h" ? 0 : 2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse_options(argc, argv);
  signal(SIGPIPE, SIG_IGN);  // a dead numpy child must not kill the benchmark

  // Start numpy before this process runs any OpenMP code (fork with live threads is fragile).
  NumpyPeer numpy;
  bool have_numpy = false;
  if (opt.numpy) {
    std::string why;
    have_numpy = numpy.start(opt.python, opt.numpy_script, opt.threads, opt.coretype, why);
    if (!have_numpy) std::printf("numpy side unavailable: %s\n", why.c_str());
  }

  try {
    dn::cpu::set_num_threads(opt.threads);
    if (opt.bf16 && std::string(dn::cpu::bf16_matmul_kernel()) == "none") {
      std::fprintf(stderr, "bench_matmul: --bf16: this CPU has neither AMX nor AVX512-BF16\n");
      return 1;
    }
    dn::Generator gen(42);
    std::vector<Case> cases;
    for (const Case& c : benchmark_cases())
      if (std::string(c.use).find(opt.filter) != std::string::npos &&
          (opt.exclude.empty() || std::string(c.use).find(opt.exclude) == std::string::npos))
        cases.push_back(c);
    std::vector<ProjectCase> project;
    std::vector<int> reps;
    // Warm-up (first touch, Eigen's and OpenBLAS's buffers) and the burst length per case:
    // enough products for about opt.seconds at the project's warm-up speed.
    for (const Case& c : cases) {
      project.push_back({make_operand(c.batch, c.m, c.k, c.a_t, gen),
                         make_operand(c.batch, c.k, c.n, c.b_t, gen)});
      project.back().seconds(1);
      if (opt.bf16 && c.batch == 1) project.back().seconds_bf16(1);
      const double once = project.back().seconds(1);
      reps.push_back(std::clamp(int(opt.seconds / std::max(once, 1e-6)), 2, 10000));
      if (have_numpy && numpy.seconds(c, 1) < 0) have_numpy = false;
    }

    const std::string load_before = load_average();
    // GFLOP/s per round of each side, and the ratio of the two measurements of the same
    // round (taken back to back, so both saw about the same machine).
    std::vector<std::vector<double>> ours(cases.size()), theirs(cases.size()),
        ratios(cases.size()), bf16(cases.size()), bf16_to_ours(cases.size()), bf16_to_theirs(cases.size());
    for (int r = 0; r < opt.rounds; ++r) {
      for (size_t i = 0; i < cases.size(); ++i) {
        const double work = cases[i].flops() * reps[i] / 1e9;
        auto time_ours = [&] {
          pause(opt.gap);
          ours[i].push_back(work / project[i].seconds(reps[i]));
        };
        auto time_theirs = [&] {
          if (!have_numpy) return;
          pause(opt.gap);
          const double s = numpy.seconds(cases[i], reps[i]);
          if (s > 0) theirs[i].push_back(work / s);
          else have_numpy = false;
        };
        if (r % 2 == 0) { time_ours(); time_theirs(); }
        else { time_theirs(); time_ours(); }
        if (have_numpy && theirs[i].size() == ours[i].size())
          ratios[i].push_back(ours[i].back() / theirs[i].back());
        if (opt.bf16 && cases[i].batch == 1) {  // right after the two above
          pause(opt.gap);
          bf16[i].push_back(work / project[i].seconds_bf16(reps[i]));
          bf16_to_ours[i].push_back(bf16[i].back() / ours[i].back());
          if (have_numpy && theirs[i].size() == ours[i].size())
            bf16_to_theirs[i].push_back(bf16[i].back() / theirs[i].back());
        }
      }
    }

    std::printf("float32 matmul, %d threads, GFLOP/s: median of %d interleaved rounds;\n"
                "ratio: median over rounds of project / OpenBLAS, measured back to back\n",
                opt.threads, opt.rounds);
    std::printf("load average (1 min) before/after: %s / %s on %d cores\n",
                load_before.c_str(), load_average().c_str(), omp_get_num_procs());
    std::printf("project: dn::kernel::matmul (CPU backend, %s)\n", dn::cpu::float_matmul_kernel());
    if (have_numpy) {
      std::printf("numpy:   %s (library version kernels threads)%s\n",
                  numpy.description().c_str(),
                  opt.coretype.empty() || opt.coretype == "auto"
                      ? ""
                      : (", OPENBLAS_CORETYPE=" + opt.coretype).c_str());
    }
    if (opt.bf16)
      std::printf("bf16:    dn::kernel::matmul_bf16 (%s), bfloat16 inputs, float32 sums\n",
                  dn::cpu::bf16_matmul_kernel());
    std::printf("\n%-26s %-26s %-6s %9s %9s %7s%s\n", "use", "shape", "layout", "project",
                "openblas", "ratio", opt.bf16 ? "      bf16 bf16/fp32 bf16/openblas" : "");
    int below = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      const double p = median(ours[i]);
      std::printf("%-26s %-26s %-6s %9.1f", cases[i].use, shape_of(cases[i]).c_str(),
                  layout_of(cases[i]).c_str(), p);
      if (have_numpy && !theirs[i].empty()) {
        const double q = median(theirs[i]);
        const double ratio = median(ratios[i]);
        if (ratio < 0.85) ++below;
        std::printf(" %9.1f %6.0f%%%s", q, 100.0 * ratio, ratio < 0.85 ? "  < 85%" : "");
      } else {
        std::printf(" %9s %7s", "-", "-");
      }
      if (!bf16[i].empty()) {
        std::printf(" %9.1f %8.2fx", median(bf16[i]), median(bf16_to_ours[i]));
        if (!bf16_to_theirs[i].empty()) std::printf(" %12.2fx", median(bf16_to_theirs[i]));
      }
      std::printf("\n");
    }
    if (have_numpy)
      std::printf("\n%d of %zu shapes below 85%% of OpenBLAS\n", below, cases.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_matmul: %s\n", e.what());
    return 1;
  }
  return 0;
}
