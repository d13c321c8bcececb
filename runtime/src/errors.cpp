// Error types: file_error formats "file: path: message".
#include "retort/errors.hpp"

namespace retort {

namespace {
std::string located(const std::string& file, const std::string& path, const std::string& message) {
  std::string out = file;
  if (!path.empty()) out += ": " + path;
  return out + ": " + message;
}
}  // namespace

file_error::file_error(std::string file, std::string json_path, const std::string& message)
    : error(located(file, json_path, message)), file_(std::move(file)), json_path_(std::move(json_path)) {}

file_error::file_error(std::string file, int line, int column, const std::string& message)
    : error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message), file_(std::move(file)) {}

}  // namespace retort
