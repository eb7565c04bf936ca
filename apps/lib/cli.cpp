#include "apps/lib/cli.h"

#include <unistd.h>

#include <cstdio>
#include <thread>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/error.h"

namespace dn::app {

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--threads", o.threads, "CPU threads (default: all cores)");
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
}

Device apply_common_options(const CommonOptions& o) {
  DN_CHECK(o.threads >= 0, "--threads must be positive, got ", o.threads);
  const int threads = o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  cpu::set_num_threads(threads);
  Device d = parse_device(o.device);
  if (d.is_cuda()) {
    DN_CHECK(cuda::built_with_cuda(), "--device ", o.device, ": this build has no CUDA backend "
             "(configure with -Dcuda=enabled)");
    const int n = cuda::device_count();
    DN_CHECK(d.index < n, "--device ", o.device, ": no such CUDA device (", n, " found)");
  }
  return d;
}

int run_app(const char* name, CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
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
