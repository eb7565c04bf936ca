#include "eval/output_names.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>

#include "tensor/error.h"

namespace dn::eval {

namespace fs = std::filesystem;

namespace {

// File systems allow 255 bytes a name; this leaves room for the caller's extension.
constexpr size_t kMaxNameBytes = 240;

// One input, taken apart: its normal absolute path, the path's components with the file's
// stem last (what a name is a suffix of), and the file's extension.
struct Parsed {
  std::string normal;
  std::vector<std::string> parts;
  std::string extension;
};

Parsed parse(const std::string& input) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(input), ec);
  DN_CHECK(!ec, input, ": cannot make the path absolute: ", ec.message());
  p = p.lexically_normal();
  Parsed out{p.string(), {}, p.extension().string()};
  for (const fs::path& part : p.parent_path().relative_path()) out.parts.push_back(part.string());
  out.parts.push_back(p.stem().string());
  return out;
}

// How many trailing parts a and b share.
size_t common_suffix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[a.size() - 1 - n] == b[b.size() - 1 - n]) ++n;
  return n;
}

}  // namespace

std::string escape_name_part(std::string_view part) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : part) {
    const auto byte = static_cast<unsigned char>(c);
    // Spelled out rather than std::isalnum, which depends on the locale.
    const bool kept = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    if (kept) {
      out += c;
    } else {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 15];
    }
  }
  return out;
}

OutputNames::OutputNames(const std::vector<std::string>& inputs) {
  std::vector<Parsed> parsed;
  for (const std::string& input : inputs) parsed.push_back(parse(input));

  // Rule 1 needs, for each input, the longest suffix it shares with an input whose parts
  // differ (one with the same parts differs only in the extension: rule 2). Sorted by their
  // parts read backwards, inputs with the same parts lie together in one block, and the
  // longest suffix a block shares is with the block just before or just after it; so one
  // sort and a look at both neighbours find it.
  auto parts_of = [&](size_t i) -> const std::vector<std::string>& { return parsed[i].parts; };
  std::vector<size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto &pa = parts_of(a), &pb = parts_of(b);
    return std::lexicographical_compare(pa.rbegin(), pa.rend(), pb.rbegin(), pb.rend());
  });
  std::vector<size_t> shared(inputs.size(), 0);
  std::vector<bool> same_parts(inputs.size(), false);
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() && parts_of(order[end]) == parts_of(order[begin])) ++end;
    size_t n = 0;
    if (begin > 0) n = common_suffix(parts_of(order[begin - 1]), parts_of(order[begin]));
    if (end < order.size()) n = std::max(n, common_suffix(parts_of(order[end]), parts_of(order[begin])));
    for (size_t k = begin; k < end; ++k) {
      shared[order[k]] = n;
      same_parts[order[k]] = end - begin > 1;
    }
    begin = end;
  }

  std::map<std::string, size_t> owner;  // name -> the input that has it
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<std::string>& parts = parsed[i].parts;
    const size_t length = std::min(parts.size(), std::max<size_t>(2, shared[i] + 1));
    std::string name;
    for (size_t k = parts.size() - length; k < parts.size(); ++k) {
      if (!name.empty()) name += '_';
      name += escape_name_part(parts[k]);
    }
    if (same_parts[i]) name += escape_name_part(parsed[i].extension);  // rule 2

    DN_CHECK(name.size() <= kMaxNameBytes, inputs[i], ": its output name would be ", name.size(),
             " bytes long, more than the ", kMaxNameBytes, " a file system leaves room for; rename or move the file");
    auto [at, fresh] = owner.emplace(name, i);
    if (!fresh) {
      const size_t j = at->second;
      DN_CHECK(parsed[i].normal != parsed[j].normal, inputs[j], " and ", inputs[i],
               " are the same file, given twice");
      fail(inputs[j], " and ", inputs[i], " would both be written as ", name,
           " (a name joins folders and stem with '_'); rename one of them");
    }
    names_.emplace(inputs[i], name);
  }
}

const std::string& OutputNames::name(const std::string& input) const {
  auto it = names_.find(input);
  DN_CHECK(it != names_.end(), "OutputNames: ", input, " is not one of this run's inputs");
  return it->second;
}

std::string OutputNames::file(const std::string& input, const std::string& extension) const {
  return name(input) + extension;
}

void check_distinct_targets(const std::vector<PlannedFile>& files) {
  std::map<std::string, const PlannedFile*> seen;  // normal path -> its first entry
  for (const PlannedFile& f : files) {
    auto [at, fresh] = seen.emplace(fs::path(f.file).lexically_normal().string(), &f);
    DN_CHECK(fresh, at->second->input, " and ", f.input, " would both write ", f.file,
             "; nothing was written");
  }
}

}  // namespace dn::eval
