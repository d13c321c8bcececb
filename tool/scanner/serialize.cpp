// Serialize: reads a record's RETORT_TABLE options, then its columns (bases first, in
// declaration order) with their RETORT_COLUMN options, then the table-level constraints,
// whose column names are checked once all columns are known. A RETORT_VIEW record's members
// are read the same way, and its query is parsed and normalized with PostgreSQL's parser.
#include "serialize.hpp"

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <utility>

#include <clang/AST/DeclTemplate.h>
#include <clang/Basic/FileManager.h>
#include <llvm/Support/Path.h>
#include <fmt/format.h>

#include "annotation_lexer.hpp"
#include "ast_mapper.hpp"
#include "constant_eval.hpp"
#include "retort/errors.hpp"
#include "retort/naming.hpp"
#include "retort/sql_analysis.hpp"
#include "type_map.hpp"

namespace retort::scan {

namespace {

// PostgreSQL's MaxHeapAttributeNumber: CREATE TABLE refuses more columns.
constexpr std::size_t max_columns = 1600;

qualified_name qualified(std::string_view text, const std::string& default_schema) {
  if (auto dot = text.find('.'); dot != std::string_view::npos)
    return {std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
  return {default_schema, std::string(text)};
}

// An annotation as read, with where its tokens are.
template <class Annotation>
struct read_annotation {
  lexed_annotation where;
  Annotation options;
};

// The `kind` annotation of `decl` lexed and read by `read`, its mistakes reported where
// they are written; nullopt when `decl` has none.
template <class Read>
auto read_on(const clang::Decl& decl, std::string_view kind, serialize_context& cx, Read&& read) {
  using options = decltype(read(std::declval<const annotation_tokens&>()).annotation);
  std::optional<read_annotation<options>> out;
  if (std::optional<annotation> found = find_annotation(decl, kind)) {
    lexed_annotation where = lex_annotation(*found, cx.ast);
    auto result = read(where.tokens);
    for (const auto& e : result.errors) cx.diags.error(where.locate(e.offset), e.message);
    out.emplace(read_annotation<options>{std::move(where), std::move(result.annotation)});
  }
  return out;
}

// Constants named in option values, looked up where the declaration is.
constant_evaluator constants_in(const clang::DeclContext& scope, const clang::ASTContext& ast) {
  return [&scope, &ast](std::string_view name) { return evaluate_constant(name, scope, ast); };
}

std::vector<std::string> names(const std::vector<located<std::string>>& columns) {
  std::vector<std::string> out;
  for (const auto& c : columns) out.push_back(c.value);
  return out;
}

class table_builder {
 public:
  table_builder(const clang::CXXRecordDecl& record, const lexed_annotation& a, const table_annotation& options,
                serialize_context& cx)
      : record_(record), a_(a), options_(options), cx_(cx) {}

  scanned_table build() {
    table& t = out_.table;
    t.name = {options_.schema.value_or("public"), options_.name.value_or(naming::snake_case(record_.getName().str()))};
    out_.origin.table = options_.name ? at(options_.offsets.at("name")) : record_.getLocation();
    out_.origin.record = record_.getLocation();
    t.comment = options_.comment;
    t.rls = options_.rls;
    t.partition = options_.partition_by;
    for (const auto& old : options_.renamed_from) t.renamed_from.push_back(qualified(old.value, t.name.schema));
    if (options_.primary_key) {
      t.pk = primary_key{options_.primary_key->name.value_or(naming::primary_key(t.name)), names(options_.primary_key->columns)};
      out_.origin.primary_key = at(options_.primary_key->offset);
    }
    columns_of(record_);
    if (t.columns.size() > max_columns)
      cx_.diags.error(out_.origin.table, fmt::format("table {} has {} columns; PostgreSQL allows at most {}", to_string(t.name),
                                                     t.columns.size(), max_columns));
    table_constraints();
    return std::move(out_);
  }

 private:
  clang::SourceLocation at(std::size_t offset) const { return a_.locate(offset); }

  void columns_of(const clang::CXXRecordDecl& record) {
    for (const clang::CXXBaseSpecifier& base : record.bases()) {
      const clang::CXXRecordDecl* decl = base.getType()->getAsCXXRecordDecl();
      // A virtual base is one subobject however many paths lead to it: its columns once.
      if (base.isVirtual() && decl && !virtual_bases_.insert(decl->getCanonicalDecl()).second) continue;
      if (!decl || !decl->hasDefinition()) {
        cx_.diags.error(base.getBeginLoc(), fmt::format("cannot read the columns of base class '{}'",
                                                        base.getType().getAsString(cx_.ast.getPrintingPolicy())));
        continue;
      }
      columns_of(*decl->getDefinition());
    }
    for (const clang::FieldDecl* field : record.fields()) add_column(*field);
  }

  void add_column(const clang::FieldDecl& field) {
    table& t = out_.table;
    const auto ca = read_on(field, "column", cx_, [&](const annotation_tokens& tokens) {
      return read_column_annotation(tokens, constants_in(*field.getDeclContext(), cx_.ast));
    });
    const column_annotation options = ca ? ca->options : column_annotation{};
    if (options.skip) return;  // RETORT_COLUMN(skip): a cache or other state that is not stored
    auto option_at = [&](std::string_view name) { return ca->where.locate(options.offsets.find(name)->second); };
    if (field.isAnonymousStructOrUnion() || field.getName().empty()) {
      cx_.diags.error(field.getLocation(), "an anonymous member cannot be a column; give it a name");
      return;
    }
    column c;
    c.name = options.name.value_or(field.getName().str());
    if (auto it = columns_.find(c.name); it != columns_.end()) {
      cx_.diags.error(options.name ? option_at("name") : field.getLocation(),
                      fmt::format("duplicate column '{}' in table {}", c.name, to_string(t.name)));
      cx_.diags.note(out_.origin.columns[it->second], "previous declaration is here");
      return;
    }

    mapped_type m = map_type(field.getType(), cx_.ast);
    c.nullable = m.nullable;
    bool typed = true;
    if (options.type) {
      c.type = *options.type;
      std::vector<extension> declared;
      for (const scanned_extension& e : cx_.extensions) declared.push_back(e.def);
      if (auto problem = unknown_type_problem(c.type, declared)) {
        std::string message = "invalid value for 'type': " + *problem;
        if (c.type.kind == type_kind::named && !extension_of_type(c.type))
          if (auto near = nearest_name(c.type.name, builtin_type_names())) message += fmt::format("; did you mean \"{}\"?", *near);
        cx_.diags.error(option_at("type"), message);
      }
    } else if (m.type) {
      c.type = *m.type;
      if (m.enum_decl) c.type.enum_name = serialize_enum(*m.enum_decl, t.name.schema, cx_);
    } else {
      typed = false;
      cx_.diags.error(field.getTypeSpecStartLoc(),
                      fmt::format("no column type for C++ type '{}'; use a mapped type or RETORT_COLUMN(type = \"...\")",
                                  m.value_type.getAsString(cx_.ast.getPrintingPolicy())));
    }
    if (options.length && typed) {
      if (c.type.kind == type_kind::text && !c.type.array) {
        c.type.kind = type_kind::varchar;
        c.type.length = options.length;
      } else {
        cx_.diags.error(option_at("length"), fmt::format("option 'length' needs a std::string column; '{}' maps to {}",
                                                         m.value_type.getAsString(cx_.ast.getPrintingPolicy()), to_string(c.type)));
      }
    }
    c.identity = options.identity;
    // nextval('invoice_numbers') as pg_get_expr() prints it, so a database read back compares equal.
    if (options.server_default) c.server_default = canonical_nextval(*options.server_default);
    c.comment = options.comment;
    c.generated = options.generated;
    c.collation = options.collation;
    c.renamed_from = options.renamed_from;
    c.backfill = options.backfill;
    c.backfill_batch = options.backfill_batch;

    if (options.primary_key) {
      if (t.pk) {
        cx_.diags.error(option_at("primary_key"),
                        fmt::format("table {} has two primary keys; declare a composite key as primary_key(a, b) in RETORT_TABLE",
                                    to_string(t.name)));
        cx_.diags.note(out_.origin.primary_key, "the other primary key is declared here");
      } else {
        t.pk = primary_key{naming::primary_key(t.name), {c.name}};
        out_.origin.primary_key = option_at("primary_key");
      }
    }
    auto column_index = [&](bool unique) {
      index i;
      i.name = naming::index(t.name, {c.name});
      i.columns = {c.name};
      i.unique = unique;
      return i;
    };
    if (options.unique && options.index) {
      t.indexes.push_back(column_index(true));
      out_.origin.indexes.push_back(option_at("index"));
    } else if (options.unique) {
      t.uniques.push_back({naming::unique(t.name, {c.name}), {c.name}});
      out_.origin.uniques.push_back(option_at("unique"));
    } else if (options.index) {
      t.indexes.push_back(column_index(false));
      out_.origin.indexes.push_back(option_at("index"));
    }
    if (options.check) {
      t.checks.push_back({naming::check(t.name, c.name), *options.check});
      out_.origin.checks.push_back(option_at("check"));
    }
    if (options.references)
      out_.foreign_keys.push_back({{c.name}, options.references->value, options.on_delete, options.on_update, std::nullopt,
                                   ca->where.locate(options.references->offset), options.deferrable});

    columns_.emplace(c.name, t.columns.size());
    t.columns.push_back(std::move(c));
    out_.origin.columns.push_back(options.name ? option_at("name") : field.getLocation());
    out_.origin.fields.push_back(field.getLocation());
  }

  // Each column a table option names must be a column of the table.
  bool known_columns(const std::vector<located<std::string>>& columns, std::string_view what) {
    bool ok = true;
    for (const auto& c : columns) {
      if (columns_.contains(c.value)) continue;
      std::vector<std::string_view> known;
      for (const column& k : out_.table.columns) known.push_back(k.name);
      std::string message = fmt::format("unknown column '{}' in {} of table {}", c.value, what, to_string(out_.table.name));
      if (auto near = nearest_name(c.value, known)) message += fmt::format("; did you mean '{}'?", *near);
      cx_.diags.error(at(c.offset), message);
      ok = false;
    }
    return ok;
  }

  // The keys of index(...) as parsed keys; its plain column keys and INCLUDE columns must exist.
  bool index_keys(const index_annotation& i, index& out) {
    std::vector<located<std::string>> named;
    for (const auto& written : i.columns) {
      auto k = parse_index_key(written.value);
      if (!k) continue;
      if (k->expression.empty()) named.push_back({k->column, written.offset});
      out.columns.push_back(std::move(*k));
    }
    for (const auto& c : i.include) named.push_back({c, i.offset});
    out.include = i.include;
    return known_columns(named, "index(...)");
  }

  // The elements of exclude(...): each "key WITH operator"; plain keys and INCLUDE columns must exist.
  bool exclusion_elements(const exclusion_annotation& x, exclusion_constraint& out) {
    std::vector<located<std::string>> named;
    bool ok = true;
    for (const auto& written : x.columns) {
      auto e = parse_exclusion_element(written.value);
      if (!e) {
        cx_.diags.error(at(written.offset), fmt::format("an element of exclude(...) is \"<column or expression> WITH "
                                                        "<operator>\", as in \"room WITH =\"; found \"{}\"",
                                                        written.value));
        ok = false;
        continue;
      }
      if (!is_operator_name(e->op)) {
        cx_.diags.error(at(written.offset), fmt::format("\"{}\" is not an operator (=, &&, <>, ...)", e->op));
        ok = false;
        continue;
      }
      if (e->key.expression.empty()) named.push_back({e->key.column, written.offset});
      out.elements.push_back(std::move(*e));
    }
    for (const auto& c : x.include) named.push_back({c, x.offset});
    out.include = x.include;
    return known_columns(named, "exclude(...)") && ok;
  }

  void table_constraints() {
    table& t = out_.table;
    if (options_.primary_key) known_columns(options_.primary_key->columns, "primary_key(...)");
    for (const key_annotation& u : options_.uniques) {
      if (!known_columns(u.columns, "unique(...)")) continue;
      auto cols = names(u.columns);
      t.uniques.push_back({u.name.value_or(naming::unique(t.name, cols)), cols, u.deferrable});
      out_.origin.uniques.push_back(at(u.offset));
    }
    for (const index_annotation& i : options_.indexes) {
      index ix;
      if (!index_keys(i, ix)) continue;
      ix.name = i.name.value_or(naming::index_by_keys(t.name, ix.columns));
      ix.unique = i.unique;
      ix.where = i.where;
      ix.method = i.method;
      ix.nulls_not_distinct = i.nulls_not_distinct;
      ix.with = i.with;
      t.indexes.push_back(std::move(ix));
      out_.origin.indexes.push_back(at(i.offset));
    }
    for (const check_annotation& c : options_.checks) {
      t.checks.push_back({c.name.value_or(""), c.expression});  // unnamed: named after a label of the expression
      out_.origin.checks.push_back(at(c.offset));
    }
    for (const exclusion_annotation& x : options_.exclusions) {
      exclusion_constraint ex;
      if (!exclusion_elements(x, ex)) continue;
      ex.name = x.name.value_or(naming::exclusion(t.name, ex.elements));
      ex.method = x.method;
      ex.where = x.where;
      ex.deferrable = x.deferrable;
      t.exclusions.push_back(std::move(ex));
      out_.origin.exclusions.push_back(at(x.offset));
    }
    for (const policy_annotation& p : options_.policies) {
      t.policies.push_back({*p.name, p.command, p.restrictive, p.roles, p.using_expression, p.check_expression});
      out_.origin.policies.push_back(at(p.offset));
    }
    for (const foreign_key_annotation& f : options_.foreign_keys) {
      if (!known_columns(f.columns, "foreign_key(...)")) continue;
      out_.foreign_keys.push_back(
          {names(f.columns), f.references.value, f.on_delete, f.on_update, f.name, at(f.references.offset), f.deferrable});
    }
  }

  const clang::CXXRecordDecl& record_;
  const lexed_annotation& a_;
  const table_annotation& options_;
  serialize_context& cx_;
  scanned_table out_;
  std::map<std::string, std::size_t, std::less<>> columns_;  // column name -> index
  std::set<const clang::CXXRecordDecl*> virtual_bases_;        // already read
};

// An enumerator's label: its name, or RETORT_VALUE's; with the earlier labels as the diff's hint.
void add_enum_value(const clang::EnumConstantDecl& value, scanned_enum& e, serialize_context& cx) {
  std::string label = value.getName().str();
  clang::SourceLocation at = value.getLocation();
  if (const auto a = read_on(value, "value", cx, read_value_annotation)) {
    if (a->options.name) {
      label = *a->options.name;
      at = a->where.locate(a->options.offsets.at("name"));
    }
    for (const auto& old : a->options.renamed_from) e.type.renamed_values[label].push_back(old.value);
  }
  e.type.values.push_back(std::move(label));
  e.values.push_back(at);
}

}  // namespace

std::optional<scanned_table> serialize_table(const clang::CXXRecordDecl& record, serialize_context& cx) {
  const auto a = *read_on(record, "table", cx, [&](const annotation_tokens& tokens) {
    return read_table_annotation(tokens, constants_in(record, cx.ast));
  });
  if (record.getDescribedClassTemplate() || llvm::isa<clang::ClassTemplateSpecializationDecl>(record)) {
    cx.diags.error(record.getLocation(), "a table must be a class, not a class template");
    return std::nullopt;
  }
  if (record.isUnion()) {
    cx.diags.error(record.getLocation(), "a table must be a struct or a class, not a union");
    return std::nullopt;
  }
  return table_builder(record, a.where, a.options, cx).build();
}

void serialize_extension(const clang::CXXRecordDecl& decl, serialize_context& cx) {
  const auto a = *read_on(decl, "extension", cx, read_extension_annotation);
  const extension_annotation& options = a.options;
  if (!options.name) return;
  cx.extensions.push_back({extension{*options.name, options.schema.value_or("public"), options.version},
                           a.where.locate(options.offsets.at("name"))});
}

void serialize_sequence(const clang::CXXRecordDecl& decl, serialize_context& cx) {
  const auto a = *read_on(decl, "sequence", cx, [&](const annotation_tokens& tokens) {
    return read_sequence_annotation(tokens, constants_in(*decl.getDeclContext(), cx.ast));
  });
  const sequence_annotation& o = a.options;
  if (!o.name) return;
  sequence q;
  q.name = {o.schema.value_or("public"), *o.name};
  q.type = o.type.value_or("bigint");
  q.increment = o.increment.value_or(1);
  q.start = o.start;
  q.min_value = o.min_value;
  q.max_value = o.max_value;
  q.cache = o.cache.value_or(1);
  q.cycle = o.cycle;
  q.owned_by = o.owned_by;
  cx.sequences.push_back({canonical(std::move(q)), a.where.locate(o.offsets.at("name"))});
}

qualified_name serialize_enum(const clang::EnumDecl& decl, const std::string& default_schema, serialize_context& cx) {
  const auto a = read_on(decl, "enum", cx, read_enum_annotation);
  const enum_annotation options = a ? a->options : enum_annotation{};
  qualified_name name{options.schema.value_or(default_schema), options.name.value_or(naming::snake_case(decl.getName().str()))};
  for (const scanned_enum& e : cx.enums)
    if (e.decl == &decl && e.type.name == name) return name;
  scanned_enum e;
  e.type.name = name;
  for (const clang::EnumConstantDecl* value : decl.enumerators()) add_enum_value(*value, e, cx);
  e.decl = &decl;
  e.at = options.name ? a->where.locate(options.offsets.at("name")) : decl.getLocation();
  cx.enums.push_back(std::move(e));
  return name;
}

// ---- views ------------------------------------------------------------------------------

namespace {

// The text of a view's query: `query`, or the file `query_file` names, relative to the header
// that declares the view (recorded for the depfile). nullopt after reporting why not.
std::optional<std::string> query_text(const clang::CXXRecordDecl& record, const read_annotation<view_annotation>& a,
                                      serialize_context& cx) {
  if (a.options.query) return a.options.query->value;
  const auto& file = *a.options.query_file;
  const clang::SourceManager& sm = cx.diags.source_manager();
  llvm::SmallString<256> header(sm.getFilename(sm.getFileLoc(record.getLocation())));
  sm.getFileManager().makeAbsolutePath(header);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(header));
  llvm::sys::path::append(path, file.value);
  llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
  std::ifstream in(path.str().str(), std::ios::binary);
  if (!in) {
    cx.diags.error(a.where.locate(file.offset), fmt::format("cannot read the query file {}", path.str()));
    return std::nullopt;
  }
  cx.query_files.push_back(path.str().str());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::optional<scanned_view> serialize_view(const clang::CXXRecordDecl& record, serialize_context& cx) {
  const auto a = *read_on(record, "view", cx, read_view_annotation);
  if (record.getDescribedClassTemplate() || llvm::isa<clang::ClassTemplateSpecializationDecl>(record) || record.isUnion()) {
    cx.diags.error(record.getLocation(), "a view must be a struct or a class, not a template or a union");
    return std::nullopt;
  }
  if (!a.options.query && !a.options.query_file) return std::nullopt;  // reported by the reader
  // The members become columns as a table's do; what only a table's column has is refused.
  table_annotation as_table;
  as_table.name = a.options.name;
  as_table.schema = a.options.schema;
  as_table.indexes = a.options.indexes;
  as_table.offsets = a.options.offsets;
  scanned_table t = table_builder(record, a.where, as_table, cx).build();
  scanned_view out{view{}, t.origin.table};
  view& v = out.def;
  v.name = t.table.name;
  v.materialized = a.options.materialized;
  v.indexes = t.table.indexes;
  for (std::size_t i = 0; i < t.table.columns.size(); ++i) {
    const column& c = t.table.columns[i];
    if (c.server_default || c.identity != identity_kind::none || c.generated || c.collation || c.comment || c.backfill ||
        !c.renamed_from.empty() || c.type.serial)
      cx.diags.error(t.origin.columns[i], fmt::format("column '{}' of view {}: a view's column takes only name, type, "
                                                      "length and skip (its values come from the query)",
                                                      c.name, to_string(v.name)));
    v.columns.push_back({c.name, c.type});
  }
  if (t.table.pk || !t.table.uniques.empty() || !t.table.checks.empty() || !t.foreign_keys.empty())
    cx.diags.error(out.at, fmt::format("view {} cannot have keys, checks or references; a materialized view can have "
                                       "index(...), unique too", to_string(v.name)));
  if (v.columns.empty()) cx.diags.error(out.at, fmt::format("view {} has no columns: its members are its columns", to_string(v.name)));
  const auto text = query_text(record, a, cx);
  if (!text) return std::nullopt;
  const clang::SourceLocation query_at =
      a.where.locate(a.options.query ? a.options.query->offset : a.options.query_file->offset);
  try {
    v.query = sql::normalized_query(*text);
    v.reads = sql::relations_read(v.query, v.name.schema);
  } catch (const error& e) {
    cx.diags.error(query_at, fmt::format("invalid query of view {}: {}", to_string(v.name), e.what()));
    return std::nullopt;
  }
  return out;
}

}  // namespace retort::scan
