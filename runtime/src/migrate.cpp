// migrate_to_head: embedded files -> revision graph -> applier.
#include "retort/migrate.hpp"

namespace retort {

std::vector<std::string> migrate_to_head(pqxx::connection& conn, std::span<const embedded_file> files,
                                         const pg::apply_options& options) {
  const revision_graph graph(load_embedded(files));
  if (graph.empty()) return {};
  pg::advisory_locker lock(conn, options.bookkeeping_schema);
  pg::applier applier(conn, graph, lock, options);
  return applier.upgrade("heads");
}

}  // namespace retort
