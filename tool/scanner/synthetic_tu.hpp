// Compiler diagnostics without the scan's synthetic translation unit: it exists only in the
// tool's virtual file system (one #include line per model header), so no message may cite it.
#pragma once

#include <string>
#include <vector>

#include <llvm/Support/raw_ostream.h>

namespace retort::scan {

/// The text of Clang's diagnostics on its way to `out`, line by line: "In file included from
/// <synthetic>:N:" lines are dropped (the header is what the user named), and a diagnostic at
/// the synthetic file is cited at the header its line includes (past the last line: the last
/// header, where a scope left open ends), without the synthetic file's source line and caret.
class synthetic_tu_stream : public llvm::raw_ostream {
 public:
  /// `main_file`: the synthetic file's path as Clang names it; `headers`: as the user gave them,
  /// in the order the synthetic file includes them (from its second line).
  synthetic_tu_stream(llvm::raw_ostream& out, std::string main_file, std::vector<std::string> headers);
  ~synthetic_tu_stream() override;

 private:
  void write_impl(const char* data, size_t size) override;
  uint64_t current_pos() const override { return written_; }
  void line(std::string text);

  llvm::raw_ostream& out_;
  std::string main_file_;
  std::vector<std::string> headers_;
  std::string pending_;       ///< the current line, until its end
  bool skipping_ = false;     ///< dropping a synthetic line's source excerpt and caret
  uint64_t written_ = 0;
};

}  // namespace retort::scan
