// Outputs: depfile escaping (files are written with retort::write_if_changed).
#include "output.hpp"


#include <fmt/format.h>


namespace retort::scan {

namespace {
std::string escaped(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#' || c == '\\') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}
}  // namespace

std::string depfile_text(std::string_view target, const std::vector<std::string>& dependencies) {
  std::string out = escaped(target) + ":";
  for (const std::string& d : dependencies) out += " \\\n  " + escaped(d);
  return out + "\n";
}

}  // namespace retort::scan
