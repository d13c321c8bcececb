// Which JSON parser the read path should use: the same migration files and snapshot read raw
// (the physical floor), parsed into nlohmann_json's DOM (what Retort used), through nlohmann's
// SAX interface with a handler that does nothing (the lower bound of any SAX-built model), and
// into simdjson's DOM. Prints one line per way: MB/s over the median of RUNS passes.
// build: c++ -O2 -std=c++20 bench/parse_bench.cpp -lsimdjson -o parse_bench
// usage: parse_bench RUNS PATH...   (a directory: its *.json files)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace fs = std::filesystem;

namespace {

// Counts events so the parse cannot be optimised away; builds nothing.
struct counting_sax : nlohmann::json_sax<nlohmann::json> {
  std::size_t events = 0;
  bool null() override { return ++events; }
  bool boolean(bool) override { return ++events; }
  bool number_integer(number_integer_t) override { return ++events; }
  bool number_unsigned(number_unsigned_t) override { return ++events; }
  bool number_float(number_float_t, const string_t&) override { return ++events; }
  bool string(string_t&) override { return ++events; }
  bool binary(binary_t&) override { return ++events; }
  bool start_object(std::size_t) override { return ++events; }
  bool key(string_t&) override { return ++events; }
  bool end_object() override { return ++events; }
  bool start_array(std::size_t) override { return ++events; }
  bool end_array() override { return ++events; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

std::vector<fs::path> inputs(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.path().extension() == ".json") files.push_back(e.path());
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string text(fs::file_size(p), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: parse_bench RUNS PATH...\n");
    return 2;
  }
  const int runs = std::atoi(argv[1]);
  const auto files = inputs(argc, argv);
  std::size_t bytes = 0, sink = 0;
  simdjson::dom::parser simd;
  const std::vector<std::pair<const char*, std::function<void()>>> ways = {
      {"raw read", [&] { for (const auto& f : files) sink += read(f).size(); }},
      {"nlohmann DOM", [&] { for (const auto& f : files) sink += nlohmann::json::parse(read(f)).size(); }},
      {"nlohmann SAX (no-op handler)",
       [&] {
         for (const auto& f : files) {
           counting_sax h;
           nlohmann::json::sax_parse(read(f), &h);
           sink += h.events;
         }
       }},
      {"simdjson DOM",
       [&] {
         for (const auto& f : files) {
           simdjson::padded_string text(read(f));
           sink += simd.parse(text).get_object().size();
         }
       }},
  };
  for (const auto& f : files) bytes += fs::file_size(f);
  std::printf("%zu files, %zu bytes\n", files.size(), bytes);
  for (const auto& [name, run] : ways) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      run();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2];
    std::printf("%-30s %9.1f ms  %8.0f MB/s\n", name, median, bytes / 1e6 / (median / 1e3));
  }
  return sink == 0;
}
