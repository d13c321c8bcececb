// Error types: file_error formats "file: path: message".
#include "retort/errors.hpp"

#include "retort/naming.hpp"

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

file_error malformed_json(const std::string& file, std::string_view text, std::size_t byte,
                          std::string_view parser_message) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  // nlohmann_json's messages start "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ...".
  std::string_view why = parser_message;
  if (auto p = why.find("syntax error"); p != std::string_view::npos) why = why.substr(p);
  return file_error(file, line, column, "malformed JSON: " + excerpt(why, 200));
}

std::string excerpt(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(naming::utf8_prefix(text, limit)) + "\u2026 (" + std::to_string(text.size()) + " bytes)";
}

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
