// Resolve: duplicate tables and enum types, foreign key targets, the core's rule for new NOT NULL
// columns against the previous snapshot, then retort's validation issues, each at its declaration;
// last, the declaration sites of what survived.
#include "resolve.hpp"

#include <map>
#include <set>

#include <clang/Basic/FileManager.h>
#include <fmt/format.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/Path.h>

#include "annotation_parser.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/naming.hpp"
#include "retort/snapshot.hpp"

namespace retort::scan {

namespace {

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& known) {
  auto near = nearest_name(name, known);
  return near ? fmt::format("; did you mean '{}'?", *near) : std::string();
}

class resolver {
 public:
  resolver(std::vector<scanned_table> tables, std::vector<scanned_enum> enums, std::vector<scanned_extension> extensions,
           diagnostics& diags, std::vector<scanned_view> views, std::vector<scanned_sequence> sequences)
      : tables_(std::move(tables)),
        enums_(std::move(enums)),
        extensions_(std::move(extensions)),
        views_(std::move(views)),
        sequences_(std::move(sequences)),
        diags_(diags) {}

  std::optional<scanned_schema> run(const schema* previous) {
    unique_tables();
    unique_enums();
    unique_extensions();
    unique_sequences();
    for (scanned_table& t : tables_) foreign_keys(t);
    schema s = assemble();
    if (previous) new_not_null_columns(s, *previous);
    if (diags_.error_count() != 0) return std::nullopt;  // this stage's or an earlier one's
    // Before sorting: the issues index the vectors built here.
    const auto issues = validation_issues(s);
    for (const validation_issue& issue : issues) diags_.error(location_of(issue.element), issue.message);
    if (!issues.empty()) return std::nullopt;
    return scanned_schema{std::move(s), sites()};
  }

 private:
  void unique_tables() {
    std::map<qualified_name, std::size_t> seen;
    std::vector<scanned_table> kept;
    for (scanned_table& t : tables_) {
      auto [it, fresh] = seen.emplace(t.table.name, kept.size());
      if (!fresh) {
        diags_.error(t.origin.table, fmt::format("duplicate table {}", to_string(t.table.name)));
        diags_.note(kept[it->second].origin.table, "previous declaration is here");
        continue;
      }
      kept.push_back(std::move(t));
    }
    tables_ = std::move(kept);
  }

  void unique_enums() {
    std::map<qualified_name, std::size_t> seen;
    std::vector<scanned_enum> kept;
    for (scanned_enum& e : enums_) {
      auto [it, fresh] = seen.emplace(e.type.name, kept.size());
      if (fresh) {
        kept.push_back(std::move(e));
      } else if (kept[it->second].decl != e.decl) {
        diags_.error(e.at, fmt::format("duplicate enum type {}; name one of them with RETORT_ENUM(\"...\")", to_string(e.type.name)));
        diags_.note(kept[it->second].at, "previous declaration is here");
      }
    }
    enums_ = std::move(kept);
  }

  void unique_extensions() {
    std::map<std::string, std::size_t> seen;
    std::vector<scanned_extension> kept;
    for (scanned_extension& e : extensions_) {
      auto [it, fresh] = seen.emplace(e.def.name, kept.size());
      if (fresh) {
        kept.push_back(std::move(e));
      } else if (!(kept[it->second].def == e.def)) {
        diags_.error(e.at, fmt::format("extension {} is declared twice, differently", e.def.name));
        diags_.note(kept[it->second].at, "previous declaration is here");
      }
    }
    extensions_ = std::move(kept);
  }

  void unique_sequences() {
    std::map<qualified_name, std::size_t> seen;
    std::vector<scanned_sequence> kept;
    for (scanned_sequence& q : sequences_) {
      auto [it, fresh] = seen.emplace(q.def.name, kept.size());
      if (fresh) {
        kept.push_back(std::move(q));
      } else if (!(kept[it->second].def == q.def)) {
        diags_.error(q.at, fmt::format("sequence {} is declared twice, differently", to_string(q.def.name)));
        diags_.note(kept[it->second].at, "previous declaration is here");
      }
    }
    sequences_ = std::move(kept);
  }

  const scanned_table* target_of(const reference& r, const qualified_name& from) {
    if (r.schema) {
      for (const scanned_table& t : tables_)
        if (t.table.name == qualified_name{*r.schema, r.table}) return &t;
      return nullptr;
    }
    // Unqualified: the table of that name, preferring the referencing table's schema.
    const scanned_table* found = nullptr;
    for (const scanned_table& t : tables_) {
      if (t.table.name.name != r.table) continue;
      if (t.table.name.schema == from.schema) return &t;
      found = found ? found : &t;
    }
    return found;
  }

  void foreign_keys(scanned_table& t) {
    for (const pending_foreign_key& f : t.foreign_keys) {
      const scanned_table* target = target_of(f.target, t.table.name);
      if (!target) {
        std::string name = f.target.schema ? *f.target.schema + "." + f.target.table : f.target.table;
        std::vector<std::string_view> known;
        for (const scanned_table& other : tables_) known.push_back(other.table.name.name);
        diags_.error(f.at, fmt::format("reference to unknown table '{}'{}", name, did_you_mean(f.target.table, known)));
        continue;
      }
      bool ok = true;
      for (const std::string& c : f.target.columns) {
        if (find_column(target->table, c)) continue;
        std::vector<std::string_view> known;
        for (const column& k : target->table.columns) known.push_back(k.name);
        diags_.error(f.at, fmt::format("reference to unknown column '{}' of table {}{}", c, to_string(target->table.name),
                                       did_you_mean(c, known)));
        ok = false;
      }
      if (!ok) continue;
      if (f.target.columns.size() != f.columns.size()) {
        diags_.error(f.at, fmt::format("foreign key has {} columns but references {}", f.columns.size(), f.target.columns.size()));
        continue;
      }
      foreign_key fk;
      fk.columns = f.columns;
      fk.ref_table = target->table.name;
      fk.ref_columns = f.target.columns;
      fk.on_delete = f.on_delete;
      fk.on_update = f.on_update;
      fk.deferrable = f.deferrable;
      fk.name = f.name.value_or(naming::foreign_key(t.table.name, fk.columns, fk.ref_table));
      t.table.foreign_keys.push_back(std::move(fk));
      t.origin.foreign_keys.push_back(f.at);
    }
  }

  schema assemble() {
    schema s;
    std::set<std::string> schemas;
    for (const scanned_extension& e : extensions_) {
      s.extensions.push_back(e.def);
      schemas.insert(e.def.schema);
    }
    for (const scanned_enum& e : enums_) {
      s.enums.push_back(e.type);
      schemas.insert(e.type.name.schema);
    }
    for (const scanned_table& t : tables_) {
      s.tables.push_back(t.table);
      schemas.insert(t.table.name.schema);
    }
    for (const scanned_view& v : views_) {
      s.views.push_back(v.def);
      schemas.insert(v.def.name.schema);
    }
    for (const scanned_sequence& q : sequences_) {
      s.sequences.push_back(q.def);
      schemas.insert(q.def.name.schema);
    }
    schemas.erase("public");
    s.schemas.assign(schemas.begin(), schemas.end());
    schemas_ = s.schemas;
    naming::assign_names(s);
    return s;
  }

  // Without a default, existing rows would have no value for a column added NOT NULL: the
  // core's rule, the one db-revision's diff applies, renames and all.
  void new_not_null_columns(const schema& s, const schema& previous) {
    const auto report = [&](const std::vector<element_ref>& columns, auto message) {
      for (const element_ref& at : columns)
        diags_.error(tables_[at.index].origin.columns[at.member],
                     message(s.tables[at.index].columns[at.member].name, to_string(s.tables[at.index].name)));
    };
    report(new_columns_without_values(previous, s), [](const std::string& column, const std::string& table) {
      return fmt::format("new NOT NULL column '{}' of table {} needs a server_default or a backfill value for the "
                         "existing rows",
                         column, table);
    });
    report(columns_made_not_null_without_backfill(previous, s), [](const std::string& column, const std::string& table) {
      return fmt::format("column '{}' of table {} becomes NOT NULL: give it a backfill value for the rows that hold "
                         "NULL, or keep it std::optional",
                         column, table);
    });
  }

  declaration_sites sites() const {
    const clang::SourceManager& sm = diags_.source_manager();
    declaration_sites out;
    for (const scanned_table& t : tables_) {
      if (auto site = site_of(sm, t.origin.record)) out.tables.emplace(table_key(t.table.name), std::move(*site));
      for (std::size_t j = 0; j < t.table.columns.size() && j < t.origin.fields.size(); ++j)
        if (auto site = site_of(sm, t.origin.fields[j]))
          out.columns.emplace(column_key(t.table.name, t.table.columns[j].name), std::move(*site));
    }
    for (const scanned_enum& e : enums_)
      if (auto site = site_of(sm, e.decl ? e.decl->getLocation() : e.at))
        out.enums.emplace(enum_key(e.type.name), std::move(*site));
    return out;
  }

  // Where the element an issue is about is declared.
  clang::SourceLocation location_of(const element_ref& at) const {
    using k = element_ref::kind;
    auto pick = [](const std::vector<clang::SourceLocation>& v, std::size_t i, clang::SourceLocation otherwise) {
      return i < v.size() && v[i].isValid() ? v[i] : otherwise;
    };
    switch (at.what) {
      case k::enum_type:
        return at.index < enums_.size() ? enums_[at.index].at : clang::SourceLocation();
      case k::enum_value:
        return at.index < enums_.size() ? pick(enums_[at.index].values, at.member, enums_[at.index].at) : clang::SourceLocation();
      case k::extension:
        return at.index < extensions_.size() ? extensions_[at.index].at : clang::SourceLocation();
      case k::view:
        return at.index < views_.size() ? views_[at.index].at : clang::SourceLocation();
      case k::sequence:
        return at.index < sequences_.size() ? sequences_[at.index].at : clang::SourceLocation();
      case k::schema:
        if (at.index >= schemas_.size()) return {};
        for (const scanned_table& t : tables_)
          if (t.table.name.schema == schemas_[at.index]) return t.origin.table;
        for (const scanned_enum& e : enums_)
          if (e.type.name.schema == schemas_[at.index]) return e.at;
        for (const scanned_extension& e : extensions_)
          if (e.def.schema == schemas_[at.index]) return e.at;
        for (const scanned_sequence& q : sequences_)
          if (q.def.name.schema == schemas_[at.index]) return q.at;
        return {};
      default:
        break;
    }
    if (at.index >= tables_.size()) return {};
    const table_origin& o = tables_[at.index].origin;
    switch (at.what) {
      case k::primary_key: return o.primary_key.isValid() ? o.primary_key : o.table;
      case k::column: return pick(o.columns, at.member, o.table);
      case k::unique: return pick(o.uniques, at.member, o.table);
      case k::index: return pick(o.indexes, at.member, o.table);
      case k::foreign_key: return pick(o.foreign_keys, at.member, o.table);
      case k::check: return pick(o.checks, at.member, o.table);
      case k::exclusion: return pick(o.exclusions, at.member, o.table);
      case k::policy: return pick(o.policies, at.member, o.table);
      default: return o.table;
    }
  }

  std::vector<scanned_table> tables_;
  std::vector<scanned_enum> enums_;
  std::vector<scanned_extension> extensions_;
  std::vector<scanned_view> views_;
  std::vector<scanned_sequence> sequences_;
  std::vector<std::string> schemas_;  // as assembled, for paths "schemas[i]"
  diagnostics& diags_;
};

}  // namespace

std::optional<scanned_schema> resolve(std::vector<scanned_table> tables, std::vector<scanned_enum> enums,
                                      std::vector<scanned_extension> extensions, diagnostics& diags,
                                      const schema* previous, std::vector<scanned_view> views,
                                      std::vector<scanned_sequence> sequences) {
  return resolver(std::move(tables), std::move(enums), std::move(extensions), diags, std::move(views), std::move(sequences))
      .run(previous);
}

std::optional<declaration_site> site_of(const clang::SourceManager& sm, clang::SourceLocation loc) {
  if (loc.isInvalid()) return std::nullopt;
  const clang::SourceLocation at = sm.getFileLoc(loc);
  if (!sm.getFileEntryForID(sm.getFileID(at))) return std::nullopt;  // a scratch or builtin buffer
  // The name the file was opened by, made absolute against the compile command's directory:
  // not resolved through symbolic links, so it stays inside the checkout it was given from.
  llvm::SmallString<256> path(sm.getFilename(at));
  sm.getFileManager().makeAbsolutePath(path);
  llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
  return declaration_site{path.str().str(), sm.getSpellingLineNumber(at), sm.getSpellingColumnNumber(at)};
}

}  // namespace retort::scan
