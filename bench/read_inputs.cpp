// The floor of db-revision and db-check: read and parse the inputs, and nothing else. Every
// JSON file given (a snapshot) or found in a directory given (the migration files) is read
// into memory and parsed with nlohmann::json, the parser Retort uses; it prints the count of
// files and bytes so the work cannot be optimised away.
// build: c++ -O2 -std=c++20 bench/read_inputs.cpp -o read_inputs   usage: read_inputs PATH...
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::size_t files = 0, bytes = 0, values = 0;
  auto read = [&](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto doc = nlohmann::json::parse(text);
    ++files;
    bytes += text.size();
    values += doc.size();
  };
  for (int i = 1; i < argc; ++i) {
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
