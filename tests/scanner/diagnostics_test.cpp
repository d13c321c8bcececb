// Each mistake a model can make, through the real retort-scan: the exact
// `file:line:col: error: message`, the source line and a caret under that column, exit
// code 1, and no snapshot written.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "scan_process.hpp"

namespace retort::scan::test {
namespace {

namespace fs = std::filesystem;

struct located_message {
  int line;
  int column;
  std::string text;
};

struct diagnostic_case {
  std::string header;  ///< under data/
  located_message error;
  std::optional<located_message> note = std::nullopt;
  std::optional<std::string> previous = std::nullopt;  ///< --previous, under data/
};

void PrintTo(const diagnostic_case& c, std::ostream* os) { *os << c.header; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string source_line(const fs::path& file, int line) {
  std::ifstream in(file);
  std::string text;
  for (int i = 0; i < line && std::getline(in, text); ++i) {
  }
  return text;
}

// "file:line:col: level: text", as Clang prints it.
std::string diagnostic_line(const fs::path& file, std::string_view level, const located_message& m) {
  return file.string() + ":" + std::to_string(m.line) + ":" + std::to_string(m.column) + ": " + std::string(level) + ": " + m.text;
}

// The diagnostic line, then the source line, then the caret under the column (the
// compiler's own errors may underline a range around it with '~').
void expect_located(const std::vector<std::string>& output, const fs::path& file, std::string_view level,
                    const located_message& m) {
  const std::string expected = diagnostic_line(file, level, m);
  auto it = std::find(output.begin(), output.end(), expected);
  ASSERT_NE(it, output.end()) << "missing line: " << expected;
  ASSERT_GT(std::distance(it, output.end()), 2) << "no source line and caret after " << expected;
  EXPECT_EQ(*(it + 1), source_line(file, m.line));
  const std::string& caret = *(it + 2);
  EXPECT_EQ(caret.find('^'), static_cast<std::size_t>(m.column - 1)) << caret;
  EXPECT_EQ(caret.find_first_not_of(" ~^"), std::string::npos) << caret;
}

class Diagnostics : public testing::TestWithParam<diagnostic_case> {};

TEST_P(Diagnostics, PointAtTheMistake) {
  const diagnostic_case& c = GetParam();
  const fs::path data = RETORT_SCANNER_DATA_DIR;
  const scratch_directory dir("diagnostics-" + c.header);
  std::vector<std::string> args{"-o", "schema.json", "--depfile", "schema.json.d"};
  if (c.previous) args.insert(args.end(), {"--previous", (data / *c.previous).string()});
  args.push_back((data / c.header).string());
  for (const auto& f : model_flags()) args.push_back(f);

  process_result r = run_scan(args, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const auto output = lines_of(r.output);
  expect_located(output, data / c.header, "error", c.error);
  if (c.note) expect_located(output, data / c.header, "note", *c.note);
  EXPECT_EQ(std::count_if(output.begin(), output.end(), [](const std::string& l) { return l.find(": error: ") != std::string::npos; }), 1)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "schema.json"));
  EXPECT_FALSE(fs::exists(dir / "schema.json.d"));
}

INSTANTIATE_TEST_SUITE_P(
    Scanner, Diagnostics,
    testing::Values(
        diagnostic_case{"unknown_option.hpp", {6, 25, "unknown column option 'lenght'; did you mean 'length'?"}},
        // Inside a macro argument split over lines, with comments: still the right column.
        diagnostic_case{"unknown_table_option.hpp", {6, 21, "unknown table option 'coment'; did you mean 'comment'?"}},
        diagnostic_case{"syntax_error.hpp", {6, 24, "expected ',' before 'index'"}},
        diagnostic_case{"bad_value.hpp",
                        {10, 55, "invalid value for 'on_delete': expected one of no_action, restrict, cascade, set_null, set_default"}},
        diagnostic_case{"backfill_batch_alone.hpp", {6, 17, "option 'backfill_batch' needs 'backfill'"}},
        diagnostic_case{"backfill_batch_zero.hpp", {6, 57, "invalid value for 'backfill_batch': expected a positive integer"}},
        // Named constants are looked up where the model is; an expression is refused at its start.
        diagnostic_case{"unknown_constant.hpp",
                        {8, 34, "invalid value for 'length': no constant named 'kMaxEmial' is declared where the model is"}},
        diagnostic_case{"constant_expression.hpp",
                        {9, 26, "only a literal or the name of a constant can be a value, not an expression ('+' follows); "
                                "declare it as a constexpr variable and write its name"}},
        // Clang's own reading of the literal, at the backslash.
        diagnostic_case{"bad_escape.hpp", {6, 30, "unknown escape sequence '\\q'"}},
        diagnostic_case{"bad_type_option.hpp", {6, 17, "invalid value for 'type': unknown type \"jsonbb\": neither a PostgreSQL "
                                                       "built-in type nor a type of a declared extension "
                                                       "(RETORT_EXTENSION(\"...\")); did you mean \"jsonb\"?"}},
        diagnostic_case{"length_on_integer.hpp", {5, 30, "option 'length' needs a std::string column; 'std::int64_t' maps to bigint"}},
        diagnostic_case{"no_type_mapping.hpp",
                        {6, 3, "no column type for C++ type 'unsigned int'; use a mapped type or RETORT_COLUMN(type = \"...\")"}},
        diagnostic_case{"missing_table.hpp", {6, 30, "reference to unknown table 'orderz'; did you mean 'orders'?"}},
        diagnostic_case{"missing_column.hpp", {10, 30, "reference to unknown column 'order_id' of table public.orders"}},
        diagnostic_case{"unknown_key_column.hpp", {4, 58, "unknown column 'prodcut_id' in primary_key(...) of table public.order_items; did you mean 'product_id'?"}},
        diagnostic_case{"duplicate_table.hpp", {9, 21, "duplicate table public.users"}, located_message{4, 21, "previous declaration is here"}},
        diagnostic_case{"duplicate_column.hpp",
                        {10, 17, "duplicate column 'created_at' in table public.users"},
                        located_message{5, 61, "previous declaration is here"}},
        diagnostic_case{"two_primary_keys.hpp",
                        {6, 17, "table public.order_items has two primary keys; declare a composite key as primary_key(a, b) in RETORT_TABLE"},
                        located_message{5, 17, "the other primary key is declared here"}},
        diagnostic_case{"new_not_null.hpp",
                        {8, 15, "new NOT NULL column 'role' of table public.users needs a server_default or a backfill value for the existing rows"},
                        std::nullopt,
                        "new_not_null_head.json"},
        // The diff's renames, not the hint alone: "login" is still modelled (the case db-revision refused after a clean scan).
        diagnostic_case{"new_not_null_rename.hpp",
                        {7, 53, "new NOT NULL column 'username' of table public.users needs a server_default or a backfill value for the existing rows"},
                        std::nullopt,
                        "new_not_null_head.json"},
        // An existing nullable column made NOT NULL needs a value for its NULL rows (issue 9).
        diagnostic_case{"made_not_null.hpp",
                        {7, 15, "column 'bio' of table public.users becomes NOT NULL: give it a backfill value for the rows that hold NULL, or keep it std::optional"},
                        std::nullopt,
                        "made_not_null_head.json"},
        // A rule of retort::validate, reported at the member it concerns.
        diagnostic_case{"identity_on_text.hpp", {5, 52, "identity column public.tags.id must be smallint, integer or bigint"}},
        // Once, in the mixin, though two tables use it.
        diagnostic_case{"mixin_mistake.hpp", {5, 17, "unknown column option 'server_defualt'; did you mean 'server_default'?"}},
        // The compiler's own errors come first: no scan of a header that does not compile.
        diagnostic_case{"compile_error.hpp", {6, 8, "no type named 'strin' in namespace 'std'; did you mean 'string'?"}}),
    [](const testing::TestParamInfo<diagnostic_case>& info) { return info.param.header.substr(0, info.param.header.find('.')); });

}  // namespace
}  // namespace retort::scan::test
