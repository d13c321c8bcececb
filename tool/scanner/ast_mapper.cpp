// AST mapper: a RecursiveASTVisitor whose Visit* methods are one-line delegates; traversal
// prunes system headers, so the standard library costs no time beyond parsing it.
#include "ast_mapper.hpp"

#include <clang/AST/Attr.h>
#include <clang/AST/RecursiveASTVisitor.h>

namespace retort::scan {

namespace {

class mapper : public clang::RecursiveASTVisitor<mapper> {
 public:
  explicit mapper(const clang::SourceManager& sm) : sm_(sm) {}

  bool TraverseDecl(clang::Decl* d) {
    if (d && !llvm::isa<clang::TranslationUnitDecl>(d) && sm_.isInSystemHeader(d->getLocation())) return true;
    return RecursiveASTVisitor::TraverseDecl(d);
  }
  // Annotations live on declarations; nothing inside a function can be a model.
  bool TraverseStmt(clang::Stmt*, DataRecursionQueue* = nullptr) { return true; }

  bool VisitCXXRecordDecl(clang::CXXRecordDecl* d) { return map(*d, "table", found_.tables); }
  bool VisitEnumDecl(clang::EnumDecl* d) { return map(*d, "enum", found_.enums); }

  found_declarations found_;

 private:
  template <class Decl>
  bool map(const Decl& d, std::string_view kind, std::vector<const Decl*>& into) {
    if (d.isThisDeclarationADefinition() && find_annotation(d, kind)) into.push_back(&d);
    return true;
  }

  const clang::SourceManager& sm_;
};

}  // namespace

found_declarations find_declarations(clang::ASTContext& ast) {
  mapper m(ast.getSourceManager());
  m.TraverseDecl(ast.getTranslationUnitDecl());
  return std::move(m.found_);
}

std::optional<annotation> find_annotation(const clang::Decl& decl, std::string_view kind) {
  for (const auto* attr : decl.specific_attrs<clang::AnnotateAttr>()) {
    llvm::StringRef text = attr->getAnnotation();
    if (!text.consume_front("retort:") || !text.consume_front(llvm::StringRef(kind.data(), kind.size())) ||
        !text.consume_front(":"))
      continue;
    return annotation{kind, std::string_view(text.data(), text.size()), attr};
  }
  return std::nullopt;
}

}  // namespace retort::scan
