// AST mapper: a RecursiveASTVisitor whose Visit* methods are one-line delegates; traversal
// prunes system headers, so the standard library costs no time beyond parsing it.
#include "ast_mapper.hpp"

#include <clang/AST/Attr.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>

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

  bool VisitDecl(clang::Decl* d) { return check_placement(*d); }
  bool VisitCXXRecordDecl(clang::CXXRecordDecl* d) {
    return map(*d, "table", found_.tables) && map(*d, "extension", found_.extensions) && map(*d, "view", found_.views) &&
           map(*d, "sequence", found_.sequences);
  }
  bool VisitEnumDecl(clang::EnumDecl* d) { return map(*d, "enum", found_.enums); }

  found_declarations found_;

 private:
  template <class Decl>
  bool map(const Decl& d, std::string_view kind, std::vector<const Decl*>& into) {
    if (d.isThisDeclarationADefinition() && find_annotation(d, kind)) into.push_back(&d);
    return true;
  }

  // Each annotation kind belongs on one kind of declaration.
  bool check_placement(const clang::Decl& d) {
    for (const auto* attr : d.specific_attrs<clang::AnnotateAttr>()) {
      llvm::StringRef text = attr->getAnnotation();
      if (!text.consume_front("retort:")) continue;
      found_.annotated_at.insert(sm_.getExpansionLoc(attr->getLocation()).getRawEncoding());
      const llvm::StringRef kind = text.take_until([](char c) { return c == ':'; });
      const bool fits = kind == "column"  ? llvm::isa<clang::FieldDecl>(d)
                        : kind == "table" || kind == "extension" || kind == "view" || kind == "sequence" ? llvm::isa<clang::CXXRecordDecl>(d)
                        : kind == "enum"  ? llvm::isa<clang::EnumDecl>(d)
                        : kind == "value" ? llvm::isa<clang::EnumConstantDecl>(d)
                                          : false;
      if (fits) continue;
      const std::string macro = "RETORT_" + kind.upper();
      const std::string what = kind == "column" ? "a column must be a non-static data member"
                               : kind == "table" ? "a table is a struct or class definition"
                               : kind == "view"  ? "a view is a struct or class definition"
                               : kind == "value" ? "RETORT_VALUE labels an enumerator"
                               : kind == "enum"  ? "RETORT_ENUM names an enum class"
                               : kind == "sequence" ? "RETORT_SEQUENCE stands alone at namespace scope"
                                                 : "RETORT_EXTENSION stands alone at namespace scope";
      std::string on = llvm::isa<clang::VarDecl>(d) && d.getDeclContext()->isRecord() ? "a static data member"
                       : llvm::isa<clang::FunctionDecl>(d)                            ? "a function"
                                                                                      : std::string("a declaration of kind ") + d.getDeclKindName();
      found_.misplaced.push_back({d.getLocation(), macro + " on " + on + ": " + what});
    }
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
