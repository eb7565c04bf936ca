// Errors: every failure is a dn::Error whose message names the op (or file) and the
// offending shapes or values. Nothing in the library aborts the process.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace dn {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <class T, class... Rest>
void append(std::ostringstream& os, const T& first, const Rest&... rest) {
  os << first;
  append(os, rest...);
}
}  // namespace detail

// Concatenates its arguments with operator<< into one message.
template <class... Parts>
std::string str(const Parts&... parts) {
  std::ostringstream os;
  detail::append(os, parts...);
  return os.str();
}

template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  throw Error(str(parts...));
}

}  // namespace dn

// DN_CHECK(cond, "op", ": message ", value, ...): throws dn::Error when cond is false.
#define DN_CHECK(cond, ...)                 \
  do {                                      \
    if (!(cond)) ::dn::fail(__VA_ARGS__);   \
  } while (0)
