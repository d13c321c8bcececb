// retort-scan: model headers in, schema snapshot out.
//   retort-scan -o schema.json [--depfile schema.json.d] [--locations locations.json]
//               [--previous head.json] [-p build_dir [--source file.cpp]] [--resource-dir dir]
//               [--sql-object file.sql]... header... [-- compile flags...]
// Mistakes in the models are compiler-style diagnostics on stderr; then the exit code is 1
// and nothing is written. 2 means the command line itself is wrong. The locations file says
// where each table, column and enum type is declared, for `retort check --locations`; it is a
// separate file so that the snapshot's bytes depend on the schema alone.
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "declaration_sites.hpp"
#include "output.hpp"
#include "retort/errors.hpp"
#include "retort/snapshot.hpp"
#include "scan.hpp"
#include "sql_objects.hpp"

namespace {

struct options {
  std::string output;
  std::optional<std::string> depfile;
  std::optional<std::string> locations;
  std::optional<std::string> previous;
  std::vector<std::string> sql_objects;  ///< SQL_OBJECTS files
  retort::scan::scan_request request;
};

// Everything after "--" is the models' compile flags; CLI11 parses what comes before.
// Returns the exit code when the command line is done with (help, or a mistake: 2).
std::optional<int> parse(int argc, char** argv, options& o) {
  o.request.resource_dir = RETORT_CLANG_RESOURCE_DIR;
  int own = argc;
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--") {
      own = i;
      o.request.compile_flags.assign(argv + i + 1, argv + argc);
      break;
    }
  CLI::App app{"retort-scan: annotated C++ model headers -> the canonical schema snapshot", "retort-scan"};
  app.footer("Mistakes in the models are compiler-style diagnostics; the exit code is then 1 and nothing is\n"
             "written. Exit code 2: a bad command line.");
  app.add_option("-o", o.output, "The snapshot to write (only when its bytes change)")->required();
  app.add_option("--depfile", o.depfile, "A Make-style depfile of every file read");
  app.add_option("--locations", o.locations,
                 "Where each table, column and enum type is declared, as JSON (only when its bytes change)");
  app.add_option("--previous", o.previous, "The schema the migration history produces, to flag new NOT NULL columns");
  app.add_option("--sql-object", o.sql_objects,
                 "A file holding one CREATE FUNCTION, PROCEDURE or TRIGGER, added to the snapshot (repeatable)");
  app.add_option("-p", o.request.build_dir, "A build directory with compile_commands.json (instead of -- FLAGS)");
  app.add_option("--source", o.request.source, "With -p: the source file whose compile command to use");
  app.add_option("--resource-dir", o.request.resource_dir, "Clang's resource directory (builtin headers)");
  app.add_option("headers", o.request.headers, "The model headers, then -- and the compile flags")->required();
  try {
    app.parse(own, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return std::nullopt;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw retort::error(fmt::format("cannot read {}", path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  options parsed;
  if (auto done = parse(argc, argv, parsed)) return *done;
  auto* o = &parsed;
  try {
    std::optional<retort::schema> previous;
    if (o->previous) previous = retort::read_snapshot(read_file(*o->previous), *o->previous);
    o->request.previous = previous ? &*previous : nullptr;

    retort::scan::scan_outcome out = retort::scan::scan_headers(o->request);
    if (!out.result) return 1;
    try {
      retort::scan::add_sql_objects(out.result->model, o->sql_objects);
    } catch (const retort::file_error& e) {
      std::fprintf(stderr, "%s\n", e.what());  // already file:line:col: error: ...
      return 1;
    }
    for (const auto& f : o->sql_objects) out.files.push_back(std::filesystem::absolute(f).string());
    // The snapshot, its locations and the depfile are written together or not at all.
    if (o->previous) out.files.push_back(std::filesystem::absolute(*o->previous).string());
    const std::string snapshot = retort::write_snapshot(out.result->model);
    const std::string locations = o->locations ? retort::write_declaration_sites(out.result->sites) : std::string();
    const std::string depfile = o->depfile ? retort::scan::depfile_text(o->output, out.files) : std::string();
    std::vector<retort::file_content> outputs{{o->output, snapshot}};
    if (o->locations) outputs.push_back({*o->locations, locations});
    if (o->depfile) outputs.push_back({*o->depfile, depfile});
    retort::write_all_if_changed(outputs);
    return 0;
  } catch (const retort::error& e) {
    std::fprintf(stderr, "retort-scan: error: %s\n", e.what());
  }
  return 1;
}
