// Fleets: many databases, or many tenant schemas of one database, migrated from one history.
// The fleet file (`retort.fleet.json`) lists where they are; this unit reads it (no database).
// The CLI resolves its queries and globs into targets and runs the applier on each.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace retort::fleet {

/// A target's labels (region, shard, ...), by which `--labels k=v` selects.
using labels = std::map<std::string, std::string, std::less<>>;

/// How one entry of the fleet file names its targets.
enum class source_kind {
  url,              ///< "url": one database (with "schema": one tenant schema in it)
  schema_glob,      ///< "url" + "schemas": every schema of that database whose name matches a glob
  database_glob,    ///< "server" + "databases": every database on a server whose name matches a glob
  directory_query,  ///< "directory" + "query": the rows of a query on a directory database
};

/// One entry of the fleet file.
struct source {
  source_kind kind = source_kind::url;
  std::string name;     ///< the target's name; the prefix of its targets' names when it names several
  std::string url;      ///< the database, the server or the directory database
  std::string schema;   ///< url: the tenant schema; empty: the database itself
  std::string pattern;  ///< schema_glob, database_glob: a glob (fnmatch) over names
  std::string query;    ///< directory_query: each row gives a URL, or (with `database`) a schema name
  std::string database;  ///< directory_query: the database holding the schemas it names; empty: it gives URLs
  labels tags;
  int line = 0;  ///< where the entry starts in the fleet file
  friend bool operator==(const source&, const source&) = default;
};

/// A fleet file as read.
struct fleet_file {
  std::string file;
  std::vector<source> sources;
};

/// One database, or one tenant schema of a database, to migrate.
struct target {
  std::string name;
  std::string url;
  std::string schema;  ///< schema-per-tenant: the tenant's schema; empty: the database itself
  labels tags;
  int line = 0;  ///< the fleet file entry it comes from
  friend bool operator==(const target&, const target&) = default;
};

/// Reads a fleet file's text. Throws file_error at `file:line:col` for malformed JSON, an unknown
/// key, a missing or mistyped value, an entry that mixes kinds, or a name used twice.
[[nodiscard]] fleet_file read_fleet(std::string_view text, const std::string& file);

/// `k=v` arguments (each may hold several, comma-separated) as labels; throws usage_error-like
/// retort::error on an argument without `=`.
[[nodiscard]] labels parse_labels(const std::vector<std::string>& arguments);

/// Whether `have` carries every label of `wanted` with the same value.
[[nodiscard]] bool matches(const labels& have, const labels& wanted);

/// Throws file_error at the later entry's line when two resolved targets share a name.
void require_unique_names(const std::vector<target>& targets, const std::string& file);

}  // namespace retort::fleet
