// Rewrites Clang's diagnostic text so that it never cites the synthetic translation unit.
#include "synthetic_tu.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace retort::scan {

namespace {
bool starts_message(const std::string& plain) {
  for (const char* kind : {": error: ", ": fatal error: ", ": warning: ", ": note: "})
    if (plain.find(kind) != std::string::npos) return true;
  return plain.starts_with("In file included from ") || plain.ends_with(" generated.");
}
}  // namespace

synthetic_tu_stream::synthetic_tu_stream(llvm::raw_ostream& out, std::string main_file, std::vector<std::string> headers)
    : out_(out), main_file_(std::move(main_file)), headers_(std::move(headers)) {
  SetUnbuffered();
}

synthetic_tu_stream::~synthetic_tu_stream() {
  if (!pending_.empty()) line(std::move(pending_));
  out_.flush();
}

void synthetic_tu_stream::write_impl(const char* data, size_t size) {
  written_ += size;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != '\n') {
      pending_ += data[i];
      continue;
    }
    line(std::move(pending_));
    pending_.clear();
  }
}

void synthetic_tu_stream::line(std::string text) {
  // Colour codes may surround the location: look at the text without them.
  std::string plain;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    plain += text[i];
  }
  if (plain.starts_with("In file included from " + main_file_ + ":")) return;
  if (plain.starts_with(main_file_ + ":")) {
    // "<synthetic>:N:C: error: ..." -> "<header>: error: ..."
    const size_t line_at = main_file_.size() + 1;
    const int n = std::atoi(plain.c_str() + line_at);
    size_t rest = plain.find(": ", line_at);
    if (rest == std::string::npos) rest = plain.size();
    const size_t index = n >= 2 && static_cast<size_t>(n - 2) < headers_.size() ? static_cast<size_t>(n - 2)
                                                                               : headers_.size() - 1;
    const std::string header = headers_.empty() ? std::string("<the model headers>") : headers_[index];
    out_ << header << plain.substr(rest) << "\n";
    skipping_ = true;  // the synthetic line and its caret follow
    return;
  }
  // The next message ends the excerpt (source line and caret) of a synthetic one.
  if (skipping_ && !starts_message(plain)) return;
  skipping_ = false;
  out_ << text << "\n";
}

}  // namespace retort::scan
