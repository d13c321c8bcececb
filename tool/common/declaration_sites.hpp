// Declaration sites: where the model sources declare each table, column and enum type.
// retort-scan writes them beside the snapshot (--locations), `retort check` reads them to
// point a drift at the model source; the snapshot itself stays free of source paths.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "retort/schema.hpp"

namespace retort {

/// The locations file format this build writes and reads.
inline constexpr int declaration_sites_format = 1;

/// A place in a model source: the file (an absolute path) and its 1-based line and column.
struct declaration_site {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
  friend bool operator==(const declaration_site&, const declaration_site&) = default;
};

/// Declaration sites by object, keyed "schema.table", "schema.table.column" and "schema.enum"
/// (see the *_key functions); sorted maps, so the file's bytes are deterministic.
struct declaration_sites {
  std::map<std::string, declaration_site> tables;   ///< the struct
  std::map<std::string, declaration_site> columns;  ///< the field (in the mixin, for an inherited one)
  std::map<std::string, declaration_site> enums;    ///< the enum
  friend bool operator==(const declaration_sites&, const declaration_sites&) = default;
};

/// "schema.table"
[[nodiscard]] std::string table_key(const qualified_name& table);
/// "schema.table.column"
[[nodiscard]] std::string column_key(const qualified_name& table, std::string_view column);
/// "schema.enum"
[[nodiscard]] std::string enum_key(const qualified_name& type);

/// The site of a table, column or enum type; nullptr when the file does not know it.
[[nodiscard]] const declaration_site* table_site(const declaration_sites& sites, const qualified_name& table);
[[nodiscard]] const declaration_site* column_site(const declaration_sites& sites, const qualified_name& table,
                                                  std::string_view column);
[[nodiscard]] const declaration_site* enum_site(const declaration_sites& sites, const qualified_name& type);

/// Canonical JSON text: {"format": 1, "tables": {...}, "columns": {...}, "enums": {...}}, each
/// site {"file", "line", "column"}, keys sorted, two-space indented, a trailing newline.
[[nodiscard]] std::string write_declaration_sites(const declaration_sites& sites);

/// Parses a locations file; throws file_error naming `file` (and the JSON path, or the line
/// and column of a syntax error).
[[nodiscard]] declaration_sites read_declaration_sites(std::string_view text, const std::string& file);

}  // namespace retort
