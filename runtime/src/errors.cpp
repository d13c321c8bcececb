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

namespace {
std::string migration_message(const migration_error::details& d) {
  std::string out = "revision " + d.revision;
  if (!d.file.empty()) out += " (" + d.file + ")";
  if (d.committed_units == 0 && d.rolled_back) {
    out += " failed and was rolled back";
  } else {
    out += " failed part way";
    if (d.committed_units > 0)
      out += ": " + std::to_string(d.committed_units) + " of its " + std::to_string(d.units) +
             " transactions committed and are recorded";
    if (!d.rolled_back) out += "; the failing statement ran outside a transaction, so what it did may stay";
    out += ". Fix the cause and rerun the same command: it resumes after what committed";
  }
  if (!d.operation.empty()) out += "\n  operation: " + d.operation;
  if (!d.statement.empty()) out += "\n  statement: " + d.statement;
  out += "\n  error: " + (d.sqlstate.empty() ? std::string() : d.sqlstate + " ") + d.message;
  if (!d.detail.empty()) out += "\n  detail: " + d.detail;
  return out;
}
}  // namespace

migration_error::migration_error(details d)
    : database_error(migration_message(d), d.sqlstate, d.statement), details_(std::move(d)) {}

}  // namespace retort
