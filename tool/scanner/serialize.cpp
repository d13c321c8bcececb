// Serialize: reads a record's RETORT_TABLE options, then its columns (bases first, in
// declaration order) with their RETORT_COLUMN options, then the table-level constraints,
// whose column names are checked once all columns are known.
#include "serialize.hpp"

#include <map>
#include <set>

#include <clang/AST/DeclTemplate.h>
#include <fmt/format.h>

#include "ast_mapper.hpp"
#include "retort/naming.hpp"
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

std::vector<std::string> names(const std::vector<located<std::string>>& columns) {
  std::vector<std::string> out;
  for (const auto& c : columns) out.push_back(c.value);
  return out;
}

class table_builder {
 public:
  table_builder(const clang::CXXRecordDecl& record, const annotation& a, const table_annotation& options,
                serialize_context& cx)
      : record_(record), a_(a), options_(options), cx_(cx) {}

  scanned_table build() {
    table& t = out_.table;
    t.name = {options_.schema.value_or("public"), options_.name.value_or(naming::snake_case(record_.getName().str()))};
    out_.origin.table = options_.name ? at(options_.offsets.at("name")) : record_.getLocation();
    out_.origin.record = record_.getLocation();
    t.comment = options_.comment;
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
  clang::SourceLocation at(std::size_t offset) const { return cx_.diags.locate(a_, offset); }

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
    std::optional<annotation> ca = find_annotation(field, "column");
    column_annotation options;
    if (ca) {
      auto read = read_column_annotation(ca->text);
      for (const auto& e : read.errors) cx_.diags.error(*ca, e.offset, e.message);
      options = std::move(read.annotation);
    }
    auto option_at = [&](std::string_view name) { return cx_.diags.locate(*ca, options.offsets.find(name)->second); };
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
    c.server_default = options.server_default;
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
    if (options.unique && options.index) {
      t.indexes.push_back({naming::index(t.name, {c.name}), {c.name}, true, std::nullopt, "btree"});
      out_.origin.indexes.push_back(option_at("index"));
    } else if (options.unique) {
      t.uniques.push_back({naming::unique(t.name, {c.name}), {c.name}});
      out_.origin.uniques.push_back(option_at("unique"));
    } else if (options.index) {
      t.indexes.push_back({naming::index(t.name, {c.name}), {c.name}, false, std::nullopt, "btree"});
      out_.origin.indexes.push_back(option_at("index"));
    }
    if (options.check) {
      t.checks.push_back({naming::check(t.name, c.name), *options.check});
      out_.origin.checks.push_back(option_at("check"));
    }
    if (options.references)
      out_.foreign_keys.push_back({{c.name}, options.references->value, options.on_delete, options.on_update, std::nullopt,
                                   cx_.diags.locate(*ca, options.references->offset)});

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

  void table_constraints() {
    table& t = out_.table;
    if (options_.primary_key) known_columns(options_.primary_key->columns, "primary_key(...)");
    for (const key_annotation& u : options_.uniques) {
      if (!known_columns(u.columns, "unique(...)")) continue;
      auto cols = names(u.columns);
      t.uniques.push_back({u.name.value_or(naming::unique(t.name, cols)), cols});
      out_.origin.uniques.push_back(at(u.offset));
    }
    for (const index_annotation& i : options_.indexes) {
      if (!known_columns(i.columns, "index(...)")) continue;
      auto cols = names(i.columns);
      t.indexes.push_back({i.name.value_or(naming::index(t.name, cols)), cols, i.unique, i.where, i.method});
      out_.origin.indexes.push_back(at(i.offset));
    }
    for (const check_annotation& c : options_.checks) {
      t.checks.push_back({c.name.value_or(""), c.expression});  // unnamed: named after the expression's hash
      out_.origin.checks.push_back(at(c.offset));
    }
    for (const foreign_key_annotation& f : options_.foreign_keys) {
      if (!known_columns(f.columns, "foreign_key(...)")) continue;
      out_.foreign_keys.push_back({names(f.columns), f.references.value, f.on_delete, f.on_update, f.name, at(f.references.offset)});
    }
  }

  const clang::CXXRecordDecl& record_;
  const annotation& a_;
  const table_annotation& options_;
  serialize_context& cx_;
  scanned_table out_;
  std::map<std::string, std::size_t, std::less<>> columns_;  // column name -> index
  std::set<const clang::CXXRecordDecl*> virtual_bases_;        // already read
};

}  // namespace

std::optional<scanned_table> serialize_table(const clang::CXXRecordDecl& record, serialize_context& cx) {
  const annotation a = *find_annotation(record, "table");
  auto read = read_table_annotation(a.text);
  for (const auto& e : read.errors) cx.diags.error(a, e.offset, e.message);
  if (record.getDescribedClassTemplate() || llvm::isa<clang::ClassTemplateSpecializationDecl>(record)) {
    cx.diags.error(record.getLocation(), "a table must be a class, not a class template");
    return std::nullopt;
  }
  if (record.isUnion()) {
    cx.diags.error(record.getLocation(), "a table must be a struct or a class, not a union");
    return std::nullopt;
  }
  return table_builder(record, a, read.annotation, cx).build();
}

void serialize_extension(const clang::CXXRecordDecl& decl, serialize_context& cx) {
  const annotation a = *find_annotation(decl, "extension");
  auto read = read_extension_annotation(a.text);
  for (const auto& e : read.errors) cx.diags.error(a, e.offset, e.message);
  const extension_annotation& options = read.annotation;
  if (!options.name) return;
  cx.extensions.push_back({extension{*options.name, options.schema.value_or("public"), options.version},
                           cx.diags.locate(a, options.offsets.at("name"))});
}

qualified_name serialize_enum(const clang::EnumDecl& decl, const std::string& default_schema, serialize_context& cx) {
  enum_annotation options;
  std::optional<annotation> a = find_annotation(decl, "enum");
  if (a) {
    auto read = read_enum_annotation(a->text);
    for (const auto& e : read.errors) cx.diags.error(*a, e.offset, e.message);
    options = std::move(read.annotation);
  }
  qualified_name name{options.schema.value_or(default_schema), options.name.value_or(naming::snake_case(decl.getName().str()))};
  for (const scanned_enum& e : cx.enums)
    if (e.decl == &decl && e.type.name == name) return name;
  scanned_enum e;
  e.type.name = name;
  for (const clang::EnumConstantDecl* value : decl.enumerators()) e.type.values.push_back(value->getName().str());
  e.decl = &decl;
  e.at = options.name ? cx.diags.locate(*a, options.offsets.at("name")) : decl.getLocation();
  cx.enums.push_back(std::move(e));
  return name;
}

}  // namespace retort::scan
