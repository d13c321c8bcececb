// A fleet file's entries resolved into targets: the URLs as written, the rows of each directory
// query, and the databases or schemas a glob matches, asked of the servers at the start of a run.
#pragma once

#include <string>
#include <vector>

#include "context.hpp"
#include "retort/fleet.hpp"

namespace retort::cli {

/// Every target of `file` whose labels carry `wanted`, in the file's order (a glob's or a query's
/// targets sorted by name). Throws database_error naming the entry and its line when a directory
/// or a server cannot be asked, file_error when two targets share a name.
[[nodiscard]] std::vector<fleet::target> resolve_targets(const context& ctx, const fleet::fleet_file& file,
                                                         const fleet::labels& wanted);

/// `url` with its database replaced by `database` (a URI or a keyword/value string).
[[nodiscard]] std::string with_database(const std::string& url, const std::string& database);

}  // namespace retort::cli
