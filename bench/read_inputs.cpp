// The floors of db-revision and db-check: read the inputs, and parse them with the parser
// Retort uses (simdjson's DOM), and nothing else; with --raw, only read their bytes (the
// physical limit). Every JSON file given (a snapshot) or found in a directory given (the
// migration files) is read into memory whole; it prints the count of files and bytes so the
// work cannot be optimised away.
// build: c++ -O2 -std=c++20 bench/read_inputs.cpp -lsimdjson -o read_inputs
// usage: read_inputs [--raw] PATH...
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <simdjson.h>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  bool raw = argc > 1 && std::strcmp(argv[1], "--raw") == 0;
  std::size_t files = 0, bytes = 0, values = 0;
  simdjson::dom::parser parser;
  auto read = [&](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string text(fs::file_size(p), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    ++files;
    bytes += text.size();
    if (!raw) values += parser.parse(text).get_object().size();
  };
  for (int i = raw ? 2 : 1; i < argc; ++i) {
    fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.path().extension() == ".json") read(e.path());
    } else {
      read(p);
    }
  }
  std::printf("%zu files, %zu bytes, %zu top-level values\n", files, bytes, values);
  return 0;
}
