#include "tests/apps/app_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace dn::test {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) { return fs::exists(path); }

std::string temp_dir(const std::string& name) {
  const char* base = std::getenv("DN_TEST_TMP");
  fs::path root = base ? fs::path(base) : fs::temp_directory_path() / ("dinomaly_tests_" + std::to_string(getpid()));
  fs::path dir = root / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

int count_lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Run run_shell(const std::string& command, const std::string& name) {
  const std::string dir = temp_dir("_io_" + name);
  const std::string cmd = command + " >" + shell_quote(dir + "/out") + " 2>" + shell_quote(dir + "/err");
  const int status = std::system(("sh -c " + shell_quote(cmd)).c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(dir + "/out");
  r.err = read_file(dir + "/err");
  return r;
}

Run run_app(const std::string& app, const std::vector<std::string>& args, const std::string& prefix) {
  const char* apps = std::getenv("DN_APPS");
  if (!apps) fail("DN_APPS is not set (the folder of the built apps)");
  return run_program(std::string(apps) + "/" + app, args, prefix);
}

Run run_program(const std::string& program, const std::vector<std::string>& args, const std::string& prefix) {
  std::string cmd = prefix + " " + shell_quote(program);
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  return run_shell(cmd, fs::path(program).filename().string());
}

}  // namespace dn::test
