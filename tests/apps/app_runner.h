// Running the built binaries from tests: exit code, stdout and stderr of one command.
#pragma once
#include <string>
#include <vector>

namespace dn::test {

struct Run {
  int code = -1;
  std::string out, err;
};

// Runs apps/<app> with the arguments (each shell-quoted), from the build's apps folder
// (env DN_APPS), optionally under a shell prefix such as "ulimit -f 50;".
Run run_app(const std::string& app, const std::vector<std::string>& args, const std::string& shell_prefix = "");
// Runs any program (a path, or a name found on PATH) the same way.
Run run_program(const std::string& program, const std::vector<std::string>& args, const std::string& shell_prefix = "");

// Runs a shell command line (sh -c), capturing its output in files under the test's
// temporary root named after `name`.
Run run_shell(const std::string& command, const std::string& name);
// 'text' for the shell, whatever it holds.
std::string shell_quote(const std::string& text);

std::string read_file(const std::string& path);
bool exists(const std::string& path);
// A fresh empty directory under the test's temporary root.
std::string temp_dir(const std::string& name);
int count_lines(const std::string& text);

}  // namespace dn::test
