#include "eval/csv.h"

#include <charconv>

namespace dn::eval {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

namespace {
template <class T>
std::string shortest(T value) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}
}  // namespace

std::string exact_number(float value) { return shortest(value); }
std::string exact_number(double value) { return shortest(value); }

}  // namespace dn::eval
