// migrate_to_head: embedded files -> revision graph -> applier (with the application's C++ steps).
#include "retort/migrate.hpp"

namespace retort {

std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         const pg::apply_options& options) {
  const revision_graph graph(load_embedded(files));
  if (graph.empty()) return {};
  pg::advisory_locker lock(conn, pg::bookkeeping_of(options).schema());
  pg::applier applier(conn, graph, lock, options);
  return applier.upgrade("heads");
}

std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         const cpp_steps& steps, pg::apply_options options) {
  options.cpp = &steps;
  return migrate_to_head(conn, files, options);
}

std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         std::string_view tenant_schema, pg::apply_options options) {
  options.tenant_schema = tenant_schema;
  return migrate_to_head(conn, files, options);
}

}  // namespace retort
