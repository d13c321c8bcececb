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
  out += d.rolled_back ? " failed and was rolled back"
                       : " failed and was NOT rolled back: a statement that cannot run in a transaction had "
                         "committed what ran before it, which stays. The database is between revisions: repair "
                         "it by hand, then record its position with `retort stamp`";
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
