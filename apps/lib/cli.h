// What every binary shares: the common flags (--device, --threads, --seed), and one way
// to end: exit 0 on success, or one line "<app>: error: ..." on stderr and exit 1 (2 for a
// command-line mistake). No exception escapes main().
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "tensor/device.h"

namespace dn::app {

struct CommonOptions {
  std::string device = "cpu";
  int threads = 0;  // 0: all cores
  uint64_t seed = 1;
};

void add_common_options(CLI::App& app, CommonOptions& o);

// --run RUN, or --checkpoint FILE with --encoder, --encoder-weights, --resize and --crop
// (eval and predict: a trained run, or the authors' released checkpoint).
struct ModelSource;
void add_model_source_options(CLI::App& app, ModelSource& source);
// Applies --threads and checks --device (a CUDA device must exist). Returns the device.
Device apply_common_options(const CommonOptions& o);
// The same for a program that embeds the library: threads 0 keeps the process's setting.
Device select_device(const std::string& device, int threads);

// Parses the command line and runs body, turning every failure into one line and an exit
// code. Returns what main() should return. First, unless the environment already says how
// OpenMP threads wait, the process executes itself again with OMP_WAIT_POLICY=passive
// (prefer_passive_omp_wait in cli.cpp says why).
int run_app(const char* name, CLI::App& app, int argc, char** argv, const std::function<int()>& body);

// True when stderr is a terminal (progress lines then redraw in place).
bool stderr_is_terminal();

}  // namespace dn::app
