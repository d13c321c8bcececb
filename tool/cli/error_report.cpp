// Error reporting: the exception's type decides the exit code and the JSON "type"; its
// fields (revision, operation, statement, SQLSTATE, file and JSON path, ...) go into the JSON.
#include "error_report.hpp"

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "retort/errors.hpp"

namespace retort::cli {

namespace {

std::string without_trailing_newlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

error_description describe_current_error() {
  using nlohmann::json;
  try {
    throw;
  } catch (const migration_error& e) {
    const auto& d = e.where();
    return {exit_database, json{{"type", "migration"}, {"message", e.what()}, {"revision", d.revision},
                                {"file", d.file}, {"operation", d.operation}, {"statement", d.statement},
                                {"sqlstate", d.sqlstate}, {"detail", d.detail}, {"rolled_back", d.rolled_back}}};
  } catch (const connection_lost_error& e) {
    return {exit_database, json{{"type", "connection_lost"}, {"message", e.what()}, {"sqlstate", e.sqlstate()},
                                {"statement", e.statement()}}};
  } catch (const database_error& e) {
    return {exit_database, json{{"type", "database"}, {"message", e.what()}, {"sqlstate", e.sqlstate()},
                                {"statement", e.statement()}}};
  } catch (const integrity_error& e) {
    return {exit_input, json{{"type", "integrity"}, {"message", e.what()}, {"problems", e.problems()}}};
  } catch (const file_error& e) {
    return {exit_input, json{{"type", "file"}, {"message", e.what()}, {"file", e.file()}, {"json_path", e.json_path()}}};
  } catch (const graph_error& e) {
    return {exit_input, json{{"type", "graph"}, {"message", e.what()}}};
  } catch (const error& e) {
    return {exit_input, json{{"type", "input"}, {"message", e.what()}}};
  } catch (const pqxx::failure& e) {
    return {exit_database, json{{"type", "database"}, {"message", "database: " + without_trailing_newlines(e.what())}}};
  } catch (const std::exception& e) {
    return {exit_input, json{{"type", "input"}, {"message", e.what()}}};
  } catch (...) {
    return {exit_input, json{{"type", "input"}, {"message", "unknown error"}}};
  }
}

int report_current_error(context& ctx) {
  const error_description d = describe_current_error();
  ctx.end_progress_line(false);  // the error starts on a line of its own
  if (ctx.json()) {
    std::cout << nlohmann::json{{"error", d.fields}}.dump(2) << "\n";
  } else {
    std::cerr << ctx.paint("error: ", style::error) << d.fields["message"].get<std::string>() << "\n";
  }
  return d.code;
}

}  // namespace retort::cli
