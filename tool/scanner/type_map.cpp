// Type map: std::optional<T> unwraps to a nullable T; bool, 16/32/64-bit signed integers,
// float and double by their canonical builtin; strings, byte vectors, chrono and Retort's
// value types by qualified name; std::vector<T> of a built-in T is an array.
#include "type_map.hpp"

#include <initializer_list>
#include <string_view>

#include <clang/AST/DeclTemplate.h>

namespace retort::scan {

namespace {

// True when `decl` is `name` declared directly in `namespaces` (outermost first), looking
// through inline namespaces such as libstdc++'s std::__cxx11 and std::chrono::_V2, and
// through `extern "C++" { }` blocks.
bool is_named(const clang::NamedDecl* decl, std::initializer_list<std::string_view> namespaces, std::string_view name) {
  if (!decl || !decl->getIdentifier() || decl->getName() != llvm::StringRef(name.data(), name.size())) return false;
  const clang::DeclContext* context = decl->getDeclContext()->getRedeclContext();
  for (auto it = std::rbegin(namespaces); it != std::rend(namespaces); ++it) {
    while (true) {
      const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(context);
      if (!ns) return false;
      context = ns->getDeclContext()->getRedeclContext();
      if (!ns->isInline()) {
        if (ns->getName() != llvm::StringRef(it->data(), it->size())) return false;
        break;
      }
    }
  }
  while (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(context)) {
    if (!ns->isInline()) return false;
    context = ns->getDeclContext()->getRedeclContext();
  }
  return context->isTranslationUnit();
}

const clang::ClassTemplateSpecializationDecl* specialization(clang::QualType type) {
  return llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(type->getAsCXXRecordDecl());
}

std::optional<clang::QualType> type_argument(const clang::ClassTemplateSpecializationDecl& spec, unsigned i) {
  const auto& args = spec.getTemplateArgs();
  if (i >= args.size() || args[i].getKind() != clang::TemplateArgument::Type) return std::nullopt;
  return args[i].getAsType();
}

std::optional<int> integer_argument(const clang::ClassTemplateSpecializationDecl& spec, unsigned i) {
  const auto& args = spec.getTemplateArgs();
  if (i >= args.size() || args[i].getKind() != clang::TemplateArgument::Integral) return std::nullopt;
  return static_cast<int>(args[i].getAsIntegral().getExtValue());
}

column_type of(type_kind kind) {
  column_type t;
  t.kind = kind;
  return t;
}

std::optional<column_type> map_builtin(const clang::BuiltinType& builtin, const clang::ASTContext& ast) {
  if (builtin.getKind() == clang::BuiltinType::Bool) return of(type_kind::boolean);
  if (builtin.getKind() == clang::BuiltinType::Float) return of(type_kind::real);
  if (builtin.getKind() == clang::BuiltinType::Double) return of(type_kind::double_precision);
  // Characters are not numbers here, and PostgreSQL has no unsigned integers.
  if (builtin.isSignedInteger() && !builtin.isCharType() && !builtin.isWideCharType() &&
      !builtin.isChar8Type() && !builtin.isChar16Type() && !builtin.isChar32Type()) {
    switch (ast.getTypeSize(&builtin)) {
      case 16: return of(type_kind::smallint);
      case 32: return of(type_kind::integer);
      case 64: return of(type_kind::bigint);
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<column_type> map_value(clang::QualType type, const clang::ASTContext& ast, const clang::EnumDecl** enum_decl) {
  clang::QualType canonical = type.getCanonicalType().getUnqualifiedType();
  if (const auto* builtin = canonical->getAs<clang::BuiltinType>()) return map_builtin(*builtin, ast);
  if (const auto* e = canonical->getAs<clang::EnumType>()) {
    const clang::EnumDecl* decl = e->getDecl()->getDefinition();
    if (!decl || !decl->isScoped() || is_named(decl, {"std"}, "byte")) return std::nullopt;
    *enum_decl = decl;
    return of(type_kind::enum_type);
  }
  const clang::CXXRecordDecl* record = canonical->getAsCXXRecordDecl();
  if (!record) return std::nullopt;
  if (is_named(record, {"retort"}, "Uuid")) return of(type_kind::uuid);
  if (is_named(record, {"retort"}, "Json")) return of(type_kind::json);
  if (is_named(record, {"retort"}, "Jsonb")) return of(type_kind::jsonb);
  if (is_named(record, {"std", "chrono"}, "year_month_day")) return of(type_kind::date);
  if (is_named(record, {"retort"}, "Citext")) return parse_type("citext");
  if (is_named(record, {"retort"}, "TsVector")) return parse_type("tsvector");
  const auto* spec = specialization(canonical);
  if (!spec) return std::nullopt;
  if (is_named(spec, {"retort"}, "Range")) {  // the range type of its bound's column type
    auto bound = type_argument(*spec, 0);
    const clang::EnumDecl* ignored = nullptr;
    auto inner = bound ? map_value(*bound, ast, &ignored) : std::nullopt;
    if (!inner || inner->array) return std::nullopt;
    switch (inner->kind) {
      case type_kind::integer: return parse_type("int4range");
      case type_kind::bigint: return parse_type("int8range");
      case type_kind::timestamptz: return parse_type("tstzrange");
      case type_kind::date: return parse_type("daterange");
      default: return std::nullopt;
    }
  }
  if (is_named(spec, {"retort"}, "Numeric")) {
    column_type t = of(type_kind::numeric);
    t.precision = integer_argument(*spec, 0);
    t.scale = integer_argument(*spec, 1);
    return t;
  }
  if (is_named(spec, {"std"}, "basic_string")) {
    auto c = type_argument(*spec, 0);
    if (c && (*c)->isSpecificBuiltinType(clang::BuiltinType::Char_S)) return of(type_kind::text);
    if (c && (*c)->isSpecificBuiltinType(clang::BuiltinType::Char_U)) return of(type_kind::text);
    return std::nullopt;
  }
  if (is_named(spec, {"std", "chrono"}, "time_point")) {
    auto clock = type_argument(*spec, 0);
    if (clock && is_named((*clock)->getAsCXXRecordDecl(), {"std", "chrono"}, "system_clock")) return of(type_kind::timestamptz);
    return std::nullopt;
  }
  if (is_named(spec, {"std", "chrono"}, "duration")) return of(type_kind::interval);
  if (is_named(spec, {"std"}, "vector")) {
    auto element = type_argument(*spec, 0);
    if (!element) return std::nullopt;
    clang::QualType e = (*element).getCanonicalType();
    if (const auto* et = e->getAs<clang::EnumType>(); et && is_named(et->getDecl(), {"std"}, "byte")) return of(type_kind::bytea);
    const clang::EnumDecl* ignored = nullptr;
    auto inner = map_value(e, ast, &ignored);
    // Arrays of built-in scalars only: no arrays of arrays, enums or bytea.
    if (!inner || inner->array || inner->kind == type_kind::enum_type || inner->kind == type_kind::bytea) return std::nullopt;
    inner->array = true;
    return inner;
  }
  return std::nullopt;
}

}  // namespace

mapped_type map_type(clang::QualType type, const clang::ASTContext& ast) {
  mapped_type m;
  m.value_type = type;
  if (const auto* spec = specialization(type.getCanonicalType()); spec && is_named(spec, {"std"}, "optional")) {
    m.nullable = true;
    if (auto inner = type_argument(*spec, 0)) m.value_type = *inner;
    // The written type keeps its sugar (std::optional<std::int64_t>); show T as written when we can.
    if (const auto* written = type->getAs<clang::TemplateSpecializationType>(); written && written->getNumArgs() == 1 &&
        written->getArg(0).getKind() == clang::TemplateArgument::Type)
      m.value_type = written->getArg(0).getAsType();
    if (const auto* nested = specialization(m.value_type.getCanonicalType()); nested && is_named(nested, {"std"}, "optional"))
      return m;  // std::optional<std::optional<T>> has no meaning in a column
  }
  m.type = map_value(m.value_type, ast, &m.enum_decl);
  return m;
}

}  // namespace retort::scan
