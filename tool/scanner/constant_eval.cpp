// Constant evaluation: the name is looked up through the AST's declaration contexts (no Sema:
// the parse is over), and the declaration it finds is evaluated by Clang's constant evaluator.
#include "constant_eval.hpp"

#include <vector>

#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <fmt/format.h>
#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/ADT/StringRef.h>

namespace retort::scan {

namespace {

// Finds `id` declared in `dc`, in the bases of a class, or in a namespace that a
// using-directive of `dc` names. `seen` stops cycles of using-directives.
const clang::NamedDecl* find_in(const clang::DeclContext& dc, llvm::StringRef id, const clang::ASTContext& ast,
                                llvm::SmallPtrSet<const clang::DeclContext*, 8>& seen) {
  if (!seen.insert(&dc).second) return nullptr;
  const auto found = dc.lookup(clang::DeclarationName(&ast.Idents.get(id)));
  if (!found.empty()) return found.front();
  if (const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(&dc); record && record->hasDefinition())
    for (const clang::CXXBaseSpecifier& base : record->getDefinition()->bases())
      if (const clang::CXXRecordDecl* b = base.getType()->getAsCXXRecordDecl(); b && b->hasDefinition())
        if (const clang::NamedDecl* d = find_in(*b->getDefinition(), id, ast, seen)) return d;
  if (dc.isFileContext())
    for (const clang::UsingDirectiveDecl* u : dc.using_directives())
      if (const clang::NamespaceDecl* ns = u->getNominatedNamespace())
        if (const clang::NamedDecl* d = find_in(*ns, id, ast, seen)) return d;
  return nullptr;
}

const clang::NamedDecl* find_in(const clang::DeclContext& dc, llvm::StringRef id, const clang::ASTContext& ast) {
  llvm::SmallPtrSet<const clang::DeclContext*, 8> seen;
  return find_in(dc, id, ast, seen);
}

// The scope a qualifier names: a namespace (or its alias), a class or an enum (or a typedef of one).
const clang::DeclContext* scope_named(const clang::NamedDecl& d) {
  if (const auto* alias = llvm::dyn_cast<clang::NamespaceAliasDecl>(&d)) return alias->getNamespace();
  if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(&d)) return ns;
  const clang::TagDecl* tag = llvm::dyn_cast<clang::TagDecl>(&d);
  if (const auto* td = llvm::dyn_cast<clang::TypedefNameDecl>(&d)) tag = td->getUnderlyingType()->getAsTagDecl();
  // `User` inside struct User names the class itself (its injected-class-name).
  if (const auto* r = llvm::dyn_cast_or_null<clang::CXXRecordDecl>(tag); r && r->isInjectedClassName())
    tag = llvm::cast<clang::CXXRecordDecl>(r->getDeclContext());
  if (tag && tag->getDefinition()) return tag->getDefinition();
  return nullptr;
}

constant_value problem(std::string text) { return {std::nullopt, std::move(text)}; }

}  // namespace

constant_value evaluate_constant(std::string_view name, const clang::DeclContext& scope, const clang::ASTContext& ast) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  llvm::StringRef(name.data(), name.size()).split(parts, "::");
  const bool global = parts.front().empty();
  if (global) parts.erase(parts.begin());

  // The first part as seen from the scope outwards; the rest inside what the one before names.
  const clang::NamedDecl* found = nullptr;
  if (global) {
    found = find_in(*ast.getTranslationUnitDecl(), parts.front(), ast);
  } else {
    for (const clang::DeclContext* dc = &scope; dc && !found; dc = dc->getParent()) found = find_in(*dc, parts.front(), ast);
  }
  for (std::size_t i = 1; found && i < parts.size(); ++i) {
    const clang::DeclContext* inner = scope_named(*found);
    if (!inner) return problem(fmt::format("'{}' is not a namespace, class or enum", found->getQualifiedNameAsString()));
    found = find_in(*inner, parts[i], ast);
  }
  if (!found) return problem(fmt::format("no constant named '{}' is declared where the model is", name));

  if (const auto* enumerator = llvm::dyn_cast<clang::EnumConstantDecl>(found))
    return {enumerator->getInitVal().getExtValue(), {}};
  const auto* var = llvm::dyn_cast<clang::VarDecl>(found);
  if (!var) return problem(fmt::format("'{}' is not a constant", name));
  if (!var->getType()->isIntegralOrEnumerationType()) return problem(fmt::format("'{}' is not an integer constant", name));
  if (!var->isUsableInConstantExpressions(ast)) return problem(fmt::format("'{}' is not a constant; declare it constexpr", name));
  const clang::APValue* value = var->evaluateValue();
  if (!value || !value->isInt()) return problem(fmt::format("'{}' cannot be evaluated at compile time", name));
  if (value->getInt().getMinSignedBits() > 64) return problem(fmt::format("'{}' does not fit in 64 bits", name));
  return {value->getInt().getExtValue(), {}};
}

}  // namespace retort::scan
