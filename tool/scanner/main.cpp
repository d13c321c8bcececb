// retort-scan: model headers in, schema snapshot out.
//   retort-scan -o schema.json [--depfile schema.json.d] [--previous head.json]
//               [-p build_dir [--source file.cpp]] [--resource-dir dir] header... [-- compile flags...]
// Mistakes in the models are compiler-style diagnostics on stderr; then the exit code is 1
// and nothing is written. 2 means the command line itself is wrong.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "output.hpp"
#include "retort/errors.hpp"
#include "retort/snapshot.hpp"
#include "scan.hpp"

namespace {

constexpr const char* usage =
    "usage: retort-scan -o SNAPSHOT [--depfile FILE] [--previous SNAPSHOT] [-p BUILD_DIR [--source FILE]]\n"
    "                   [--resource-dir DIR] HEADER... [-- COMPILE_FLAGS...]\n";

struct options {
  std::string output;
  std::optional<std::string> depfile;
  std::optional<std::string> previous;
  retort::scan::scan_request request;
};

std::optional<options> parse(int argc, char** argv) {
  options o;
  o.request.resource_dir = RETORT_CLANG_RESOURCE_DIR;
  std::optional<std::string> output, resource_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      o.request.compile_flags.assign(argv + i + 1, argv + argc);
      break;
    }
    if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    if (!arg.starts_with("-")) {
      o.request.headers.push_back(arg);
      continue;
    }
    std::optional<std::string>* target = arg == "-o"               ? &output
                                         : arg == "--depfile"      ? &o.depfile
                                         : arg == "--previous"     ? &o.previous
                                         : arg == "-p"             ? &o.request.build_dir
                                         : arg == "--source"       ? &o.request.source
                                         : arg == "--resource-dir" ? &resource_dir
                                                                   : nullptr;
    if (!target) {
      std::fprintf(stderr, "retort-scan: unknown option '%s'\n%s", arg.c_str(), usage);
      return std::nullopt;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "retort-scan: option '%s' needs a value\n%s", arg.c_str(), usage);
      return std::nullopt;
    }
    *target = argv[++i];
  }
  if (!output || o.request.headers.empty()) {
    std::fprintf(stderr, "retort-scan: %s\n%s", output ? "no model headers given" : "-o is required", usage);
    return std::nullopt;
  }
  o.output = *output;
  if (resource_dir) o.request.resource_dir = *resource_dir;
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw retort::error(fmt::format("cannot read {}", path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  if (!o) return 2;
  try {
    std::optional<retort::schema> previous;
    if (o->previous) previous = retort::read_snapshot(read_file(*o->previous), *o->previous);
    o->request.previous = previous ? &*previous : nullptr;

    retort::scan::scan_outcome out = retort::scan::scan_headers(o->request);
    if (!out.result) return 1;
    retort::scan::write_if_changed(o->output, retort::write_snapshot(*out.result));
    if (o->depfile) {
      if (o->previous) out.files.push_back(std::filesystem::absolute(*o->previous).string());
      retort::scan::write_if_changed(*o->depfile, retort::scan::depfile_text(o->output, out.files));
    }
    return 0;
  } catch (const retort::error& e) {
    std::fprintf(stderr, "retort-scan: error: %s\n", e.what());
  }
  return 1;
}
