// Scan driver: one ClangTool run over a synthetic file that includes every model header, with
// a frontend action that skips function bodies (models are declarations) and records every
// file the SourceManager entered for the depfile.
#include "scan.hpp"

#include <algorithm>
#include <filesystem>

#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Lex/MacroInfo.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <fmt/format.h>

#include "ast_mapper.hpp"
#include "diagnostics.hpp"
#include "resolve.hpp"
#include "retort/errors.hpp"
#include "serialize.hpp"
#include "synthetic_tu.hpp"

namespace retort::scan {

namespace {

// Every RETORT_* expansion must have left an annotation the walk saw: one inside a function
// body (skipped by the parse) or a redefined macro would otherwise drop a table silently.
void check_macro_uses(const std::vector<macro_use>& uses, const found_declarations& found, diagnostics& diags) {
  const clang::SourceManager& sm = diags.source_manager();
  for (const macro_use& use : uses) {
    if (!use.retort_definition) {
      diags.error(use.at, fmt::format("{} here is not Retort's macro (it was redefined): the scan cannot see this declaration",
                                      use.name));
      if (use.defined_at.isValid()) diags.note(use.defined_at, "redefined here");
    } else if (!found.annotated_at.contains(sm.getExpansionLoc(use.at).getRawEncoding())) {
      diags.error(use.at, fmt::format("{} here is not read by the scan: tables, columns and enum types are declared at "
                                      "namespace or class scope, not inside a function",
                                      use.name));
    }
  }
}

}  // namespace

std::optional<scanned_schema> scan_translation_unit(clang::ASTContext& ast, clang::DiagnosticsEngine& engine,
                                                    const schema* previous, const std::vector<macro_use>& uses) {
  diagnostics diags(engine, ast.getSourceManager());
  found_declarations found = find_declarations(ast);
  for (const misplaced_annotation& m : found.misplaced) diags.error(m.at, m.message);
  check_macro_uses(uses, found, diags);
  serialize_context cx{ast, diags, {}};
  // Extensions first: a column's type may be one of theirs.
  for (const clang::CXXRecordDecl* record : found.extensions) serialize_extension(*record, cx);
  for (const clang::CXXRecordDecl* record : found.sequences) serialize_sequence(*record, cx);
  std::vector<scanned_table> tables;
  for (const clang::CXXRecordDecl* record : found.tables)
    if (auto t = serialize_table(*record, cx)) tables.push_back(std::move(*t));
  // An annotated enum is a type of the schema even before a column uses it.
  std::vector<scanned_view> views;
  for (const clang::CXXRecordDecl* record : found.views)
    if (auto v = serialize_view(*record, cx)) views.push_back(std::move(*v));
  for (const clang::EnumDecl* e : found.enums)
    if (std::none_of(cx.enums.begin(), cx.enums.end(), [&](const scanned_enum& s) { return s.decl == e; }))
      (void)serialize_enum(*e, "public", cx);
  auto result = resolve(std::move(tables), std::move(cx.enums), std::move(cx.extensions), diags, previous, std::move(views),
                        std::move(cx.sequences));
  if (result) result->query_files = std::move(cx.query_files);
  return result;
}

namespace {

namespace fs = std::filesystem;

// The name of the synthetic translation unit; it exists only in the tool's virtual file system.
constexpr const char* synthetic_name = "retort-scan-models.cpp";

// Records each expansion of Retort's annotation macros, with the definition in force.
class macro_recorder : public clang::PPCallbacks {
 public:
  macro_recorder(const clang::SourceManager& sm, std::vector<macro_use>& uses) : sm_(sm), uses_(uses) {}

  void MacroExpands(const clang::Token& name, const clang::MacroDefinition& definition, clang::SourceRange,
                    const clang::MacroArgs*) override {
    const clang::IdentifierInfo* id = name.getIdentifierInfo();
    if (!id) return;
    const llvm::StringRef spelled = id->getName();
    if (spelled != "RETORT_TABLE" && spelled != "RETORT_COLUMN" && spelled != "RETORT_ENUM" && spelled != "RETORT_VALUE" &&
        spelled != "RETORT_EXTENSION" && spelled != "RETORT_VIEW" && spelled != "RETORT_SEQUENCE")
      return;
    if (sm_.isInSystemHeader(sm_.getExpansionLoc(name.getLocation()))) return;
    macro_use use{spelled.str(), name.getLocation(), true, {}};
    if (const clang::MacroInfo* info = definition.getMacroInfo()) {
      use.defined_at = info->getDefinitionLoc();
      const llvm::StringRef file = sm_.getFilename(sm_.getSpellingLoc(use.defined_at));
      use.retort_definition = file.endswith("retort/model.hpp");
    }
    uses_.push_back(std::move(use));
  }

 private:
  const clang::SourceManager& sm_;
  std::vector<macro_use>& uses_;
};

class scan_consumer : public clang::ASTConsumer {
 public:
  scan_consumer(clang::CompilerInstance& ci, const schema* previous, const std::vector<macro_use>& uses, scan_outcome& out)
      : ci_(ci), previous_(previous), uses_(uses), out_(out) {}

  void HandleTranslationUnit(clang::ASTContext& ast) override {
    if (ci_.getDiagnostics().hasErrorOccurred()) return;  // the compiler said why
    out_.result = scan_translation_unit(ast, ci_.getDiagnostics(), previous_, uses_);
  }

 private:
  clang::CompilerInstance& ci_;
  const schema* previous_;
  const std::vector<macro_use>& uses_;
  scan_outcome& out_;
};

class scan_action : public clang::ASTFrontendAction {
 public:
  scan_action(const schema* previous, scan_outcome& out) : previous_(previous), out_(out) {}

  bool BeginInvocation(clang::CompilerInstance& ci) override {
    ci.getFrontendOpts().SkipFunctionBodies = true;
    return true;
  }

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& ci, llvm::StringRef) override {
    ci.getPreprocessor().addPPCallbacks(std::make_unique<macro_recorder>(ci.getSourceManager(), uses_));
    return std::make_unique<scan_consumer>(ci, previous_, uses_, out_);
  }

  void EndSourceFileAction() override {
    const clang::SourceManager& sm = getCompilerInstance().getSourceManager();
    for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
      const clang::FileEntry* file = it->first;
      llvm::StringRef path = file->tryGetRealPathName();
      if (path.empty()) path = file->getName();
      if (llvm::sys::path::filename(path) == synthetic_name) continue;
      out_.files.push_back(path.str());
    }
    if (out_.result) out_.files.insert(out_.files.end(), out_.result->query_files.begin(), out_.result->query_files.end());
    std::sort(out_.files.begin(), out_.files.end());
    out_.files.erase(std::unique(out_.files.begin(), out_.files.end()), out_.files.end());
  }

 private:
  const schema* previous_;
  std::vector<macro_use> uses_;
  scan_outcome& out_;
};

class scan_action_factory : public clang::tooling::FrontendActionFactory {
 public:
  scan_action_factory(const schema* previous, scan_outcome& out) : previous_(previous), out_(out) {}
  std::unique_ptr<clang::FrontendAction> create() override { return std::make_unique<scan_action>(previous_, out_); }

 private:
  const schema* previous_;
  scan_outcome& out_;
};

struct compile_setup {
  std::string directory;
  std::vector<std::string> args;
};

std::size_t common_prefix(const std::string& a, const std::string& b) {
  return static_cast<std::size_t>(std::mismatch(a.begin(), a.begin() + std::min(a.size(), b.size()), b.begin()).first - a.begin());
}

// The flags of the models' target as a compile_commands.json entry records them, without
// the entry's own source file and output.
compile_setup from_build_dir(const scan_request& request) {
  std::string error;
  auto db = clang::tooling::CompilationDatabase::loadFromDirectory(*request.build_dir, error);
  if (!db) throw retort::error(fmt::format("cannot read the compilation database in {}: {}", *request.build_dir, error));
  std::vector<clang::tooling::CompileCommand> commands;
  if (request.source) {
    commands = db->getCompileCommands(fs::absolute(*request.source).string());
    if (commands.empty()) throw retort::error(fmt::format("{} has no compile command in {}/compile_commands.json", *request.source, *request.build_dir));
  } else {
    commands = db->getAllCompileCommands();
    if (commands.empty()) throw retort::error(fmt::format("{}/compile_commands.json has no compile commands", *request.build_dir));
    // The translation unit nearest the first header is most likely the models' own target.
    const std::string first = request.headers.empty() ? std::string() : fs::absolute(request.headers.front()).string();
    std::stable_sort(commands.begin(), commands.end(), [&](const auto& a, const auto& b) {
      return common_prefix(a.Filename, first) > common_prefix(b.Filename, first);
    });
  }
  const clang::tooling::CompileCommand& command = commands.front();
  compile_setup setup{command.Directory, {}};
  for (std::size_t i = 1; i < command.CommandLine.size(); ++i) {
    const std::string& arg = command.CommandLine[i];
    if (arg == command.Filename || arg == "--") continue;
    setup.args.push_back(arg);
  }
  setup.args.insert(setup.args.end(), request.compile_flags.begin(), request.compile_flags.end());
  return setup;
}

// Headers by absolute path: relative ones are relative to where retort-scan runs, which
// need not be the compile command's directory.
std::string synthetic_source(const std::vector<std::string>& headers) {
  std::string text = "// Generated by retort-scan: every model header, in the order given.\n";
  for (const std::string& header : headers) {
    std::string path = fs::absolute(header).lexically_normal().string();
    std::string escaped;
    for (char c : path) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    text += fmt::format("#include \"{}\"\n", escaped);
  }
  return text;
}

}  // namespace

scan_outcome scan_headers(const scan_request& request) {
  compile_setup setup = request.build_dir ? from_build_dir(request) : compile_setup{fs::current_path().string(), request.compile_flags};
  const bool gives_resource_dir = std::any_of(setup.args.begin(), setup.args.end(),
                                              [](const std::string& a) { return a.starts_with("-resource-dir"); });
  // The models' flags may be written for GCC (-Werror, GCC-only warnings): the scan reports
  // the models' mistakes, not warnings.
  std::vector<std::string> extra{"-DRETORT_SCANNING=1", "-Wno-error", "-Wno-unknown-warning-option", "-Qunused-arguments"};
  if (!gives_resource_dir && !request.resource_dir.empty()) extra.insert(extra.end(), {"-resource-dir", request.resource_dir});
  setup.args.insert(setup.args.end(), extra.begin(), extra.end());

  const std::string main_file = (fs::path(setup.directory) / synthetic_name).string();
  clang::tooling::FixedCompilationDatabase db(setup.directory, setup.args);
  clang::tooling::ClangTool tool(db, {main_file});
  const std::string main_text = synthetic_source(request.headers);
  tool.mapVirtualFile(main_file, main_text);  // by reference: main_text outlives the run
  tool.setPrintErrorMessage(false);
  // A missing header would be cited at the synthetic file's #include line: named here instead.
  for (const std::string& header : request.headers)
    if (!fs::is_regular_file(header))
      throw retort::error(fmt::format("no such model header: {}", header));
  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> diagnostic_options = new clang::DiagnosticOptions();
  diagnostic_options->ShowColors = llvm::errs().has_colors();
  synthetic_tu_stream diagnostic_text(llvm::errs(), main_file, request.headers);
  clang::TextDiagnosticPrinter printer(diagnostic_text, &*diagnostic_options);
  tool.setDiagnosticConsumer(&printer);

  scan_outcome out;
  scan_action_factory factory(request.previous, out);
  if (tool.run(&factory) != 0) out.result.reset();
  // A header that includes retort/model.hpp and declares no table is a mistake, not an empty schema.
  if (out.result && out.result->model.tables.empty())
    throw retort::error(fmt::format("the models declare no table: no struct is marked RETORT_TABLE(...) in {}",
                                    fmt::join(request.headers, ", ")));
  return out;
}

}  // namespace retort::scan
